package testrun

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// failingLog is `go test -json` output of about size bytes: a test that
// logs a request per line, then fails.
func failingLog(size int) []byte {
	var b strings.Builder
	ev := func(action, test, output string) {
		line, _ := json.Marshal(map[string]any{"Time": "2026-11-20T10:00:00Z", "Action": action, "Package": "example.com/calc", "Test": test, "Output": output})
		b.Write(line)
		b.WriteByte('\n')
	}
	ev("run", "TestAdd", "")
	for i := 0; b.Len() < size; i++ {
		ev("output", "TestAdd", fmt.Sprintf("    calc_test.go:12: request %d: {\"time\":\"2026-11-20T10:00:%02d.%06dZ\",\"level\":\"INFO\",\"msg\":\"request\",\"path\":\"/v1/add\",\"status\":200}\n", i, i%60, i))
	}
	ev("output", "TestAdd", "    calc_test.go:7: Add(2, 3) = -1, want 5\n")
	ev("output", "TestAdd", "--- FAIL: TestAdd (0.42s)\n")
	ev("fail", "TestAdd", "")
	return []byte(b.String())
}

// calcLoop is a loop over a workdir holding the calc module.
func calcLoop(tb testing.TB) (string, *loop) {
	dir := tb.TempDir()
	os.MkdirAll(filepath.Join(dir, "svc"), 0o755)
	os.WriteFile(filepath.Join(dir, "svc/calc.go"), []byte(calc), 0o644)
	os.WriteFile(filepath.Join(dir, "svc/calc_test.go"), []byte(calcTest), 0o644)
	return dir, &loop{in: Input{Workdir: dir, Spec: spec.Service{Dir: "svc", TestsDir: "tests"}, PromptBytes: Settings.Default.(Config).PromptBytes}, out: &Output{}}
}

// BenchmarkTriagePrompt1MB builds the triage prompt for a failing test
// whose log is 1 MB: classify, pick the evidence, find the test and the
// code under test, render. It reports the prompt's size.
//
//	go test ./pkg/testrun -run XXX -bench TriagePrompt -benchmem
func BenchmarkTriagePrompt1MB(b *testing.B) {
	dir, l := calcLoop(b)
	log := failingLog(1 << 20)
	pt, err := prompts.Load("test.triage")
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		fs := triage.FromReport(gotool.ParseTestJSON(log))
		if len(fs) != 1 {
			b.Fatalf("%d failures", len(fs))
		}
		f := relFailure(fs[0], dir, filepath.Join(dir, "svc"))
		p, err := l.question(pt, clusterFailures([]triage.Failure{f})[0], nil)
		if err != nil {
			b.Fatal(err)
		}
		size = len(p.System) + len(p.User)
	}
	b.ReportMetric(float64(size), "prompt-bytes")
}

func TestTriagePromptOfABigLogIsSmall(t *testing.T) {
	dir, l := calcLoop(t)
	fs := triage.FromReport(gotool.ParseTestJSON(failingLog(1 << 20)))
	pt, _ := prompts.Load("test.triage")
	p, err := l.question(pt, clusterFailures([]triage.Failure{relFailure(fs[0], dir, filepath.Join(dir, "svc"))})[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.User) + len(p.System); n > 16<<10 || !strings.Contains(p.User, "want 5") || !strings.Contains(p.User, "func Add") {
		t.Errorf("a prompt of %d bytes:\n%s", n, p.User)
	}
}

// A failure that is no test's (a redeploy's port conflict, a build error)
// still gives a prompt: the template is not handed a map without the
// test's keys.
func TestTriagePromptOfAFailureWithoutATest(t *testing.T) {
	_, l := calcLoop(t)
	pt, _ := prompts.Load("test.triage")
	f := triage.Failure{Class: failure.PortConflict, Owner: "env", Signature: "port_conflict|-|port is already allocated",
		Message: "start svc: a host port is taken", Evidence: []string{"Bind for 127.0.0.1:8080 failed: port is already allocated"}}
	p, err := pt.Render(l.context(Cluster{Failures: []triage.Failure{f}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.User, "port is already allocated") {
		t.Errorf("the prompt lacks the evidence:\n%s", p.User)
	}
}
