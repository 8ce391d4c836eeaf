package testrun

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// service is a deployment that is already up: an HTTP server.
type service struct{ url string }

func (s service) Endpoint() string { return s.url }
func (s service) Running() bool    { return true }
func (s service) Start(context.Context, phase.Env) (phase.Service, error) {
	return s, nil
}
func (s service) Redeploy(context.Context, phase.Env) (phase.Service, error) {
	return s, nil
}

// The unit suite and the acceptance tests run at the same time: here the
// unit test waits (up to a minute) for a file only the acceptance test
// writes, so it can pass only when both run at once. Their results are
// still recorded unit first.
func TestUnitAndAcceptanceTestsRunTogether(t *testing.T) {
	h, in := setup(t, strings.Replace(calc, "a - b", "a + b", 1), nil)
	mark := filepath.Join(t.TempDir(), "e2e-started")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	t.Cleanup(srv.Close)
	in.Service = service{srv.URL}
	files := map[string]string{
		"svc/wait_test.go": fmt.Sprintf(`package calc

import (
	"os"
	"testing"
	"time"
)

func TestWhileTheAcceptanceTestsRun(t *testing.T) {
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(%q); err == nil {
			return
		}
	}
	t.Fatal("the acceptance tests did not start while the unit tests ran")
}
`, mark),
		"tests/go.mod": "module example.com/tests\n\ngo 1.24\n",
		"tests/e2e/e2e_test.go": fmt.Sprintf(`package e2e

import (
	"net/http"
	"os"
	"testing"
)

func TestServiceAnswers(t *testing.T) {
	if err := os.WriteFile(%q, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(os.Getenv("BASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
`, mark),
	}
	for p, c := range files {
		abs := filepath.Join(h.Workdir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil || out.Stop != StopPassed {
		t.Fatalf("err %v, stop %s (%s)\n%s", err, out.Stop, out.StopDetail, h.Log)
	}
	it := out.Iterations[0]
	if it.Unit.Counts.Passed != 3 || it.E2E.Counts.Passed != 1 {
		t.Fatalf("unit %+v, e2e %+v", it.Unit.Counts, it.E2E.Counts)
	}
	log := h.Log.String()
	if u, e := strings.Index(log, "/svc && go test"), strings.Index(log, "/tests && go test"); u < 0 || e < u {
		t.Errorf("the phase log does not record the unit suite first:\n%s", log)
	}
}
