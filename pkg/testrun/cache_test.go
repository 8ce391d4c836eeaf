package testrun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// reused is a deployment the phase cache reused: nothing runs until Start
// brings it up (an HTTP server here), as deploy's reused Output does.
type reused struct {
	t      *testing.T
	starts *atomic.Int32
	fail   error
}

func (reused) Endpoint() string { return "" }
func (reused) Running() bool    { return false }
func (r reused) Start(context.Context, phase.Env) (phase.Service, error) {
	r.starts.Add(1)
	if r.fail != nil {
		return nil, r.fail
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "started") }))
	r.t.Cleanup(srv.Close)
	return service{srv.URL}, nil
}
func (r reused) Redeploy(ctx context.Context, env phase.Env) (phase.Service, error) {
	return r.Start(ctx, env)
}

// e2e writes an acceptance test that needs the service to answer "started".
func e2e(t *testing.T, workdir string) {
	t.Helper()
	files := map[string]string{
		"tests/go.mod": "module example.com/tests\n\ngo 1.24\n",
		"tests/e2e/e2e_test.go": `package e2e

import (
	"io"
	"net/http"
	"os"
	"testing"
)

func TestServiceAnswers(t *testing.T) {
	url := os.Getenv("BASE_URL")
	if url == "" {
		t.Fatal("BASE_URL is empty: no service to test")
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "started" {
		t.Fatalf("answer %q", b)
	}
}
`,
	}
	for p, c := range files {
		abs := filepath.Join(workdir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The deploy phase's Output was reused (nothing runs) and the tests
// changed, so the test phase runs: it deploys the service first, once, and
// the acceptance tests run against it.
func TestAReusedDeploymentIsStartedBeforeTheAcceptanceTests(t *testing.T) {
	h, in := setup(t, strings.Replace(calc, "a - b", "a + b", 1), nil)
	e2e(t, h.Workdir)
	var starts atomic.Int32
	in.Service = reused{t: t, starts: &starts}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil || out.Stop != StopPassed {
		t.Fatalf("err %v, stop %s (%s)\n%s", err, out.Stop, out.StopDetail, h.Log)
	}
	if it := out.Iterations[0]; !it.E2E.Ran || it.E2E.Counts.Passed != 1 || it.E2E.Counts.Failed != 0 {
		t.Fatalf("e2e %+v", it.E2E)
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("the reused deployment was started %d times, want once", n)
	}
	if !strings.Contains(h.Log.String(), "deploying it now for the acceptance tests") {
		t.Errorf("the log does not say the service was deployed for the tests:\n%s", h.Log)
	}
}

// When the reused deployment cannot be started, the acceptance tests do
// not run against nothing: the deploy failure is the test phase's.
func TestAReusedDeploymentThatCannotStartIsAFailureNotADeadURL(t *testing.T) {
	h, in := setup(t, strings.Replace(calc, "a - b", "a + b", 1), nil)
	e2e(t, h.Workdir)
	var starts atomic.Int32
	in.Service = reused{t: t, starts: &starts, fail: &failure.Error{Class: failure.HealthcheckFailed, Message: "the service never became healthy"}}
	in.MaxIterations = 1
	out, err := Run(context.Background(), h.Env, in)
	if err == nil {
		t.Fatalf("a service that never started passed the phase\n%s", h.Log)
	}
	it := out.Iterations[0]
	if it.E2E.Ran || !strings.Contains(it.E2E.Why, "could not be deployed") {
		t.Fatalf("e2e %+v", it.E2E)
	}
	if len(out.Remaining) == 0 || out.Remaining[0].Class != failure.HealthcheckFailed {
		t.Errorf("remaining %+v", out.Remaining)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
}
