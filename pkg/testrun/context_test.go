package testrun

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

const statsSrc = `package main

import (
	"encoding/json"
	"net/http"
	"sort"
)

func registerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/summary", handleSummary)
	mux.HandleFunc("GET /v1/other", handleOther)
}

type summary struct {
	P50, P90 float64
}

func handleSummary(w http.ResponseWriter, r *http.Request) {
	var xs []float64
	_ = json.NewDecoder(r.Body).Decode(&xs)
	_ = json.NewEncoder(w).Encode(summarize(xs))
}

func summarize(xs []float64) summary {
	sort.Float64s(xs)
	return summary{P50: nearestRank(xs, 50), P90: nearestRank(xs, 90)}
}

// nearestRank is the q-th percentile by the nearest-rank method.
func nearestRank(xs []float64, q int) float64 {
	rank := q * len(xs) / 100 // the planted bug: floor, not ceiling
	if rank < 1 {
		rank = 1
	}
	return xs[rank-1]
}

func handleOther(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }

func unrelated() int { return 42 }
`

const statsTest = `package main

import "testing"

func TestSummarize(t *testing.T) {
	check(t, summarize([]float64{1, 2, 3}), 2)
}

func check(t *testing.T, s summary, want float64) {
	t.Helper()
	if s.P50 != want {
		t.Errorf("p50 = %v, want %v", s.P50, want)
	}
}
`

func statsLoop(t *testing.T) *loop {
	dir := t.TempDir()
	for p, s := range map[string]string{"svc/stats.go": statsSrc, "svc/stats_test.go": statsTest,
		"tests/e2e/e2e_test.go": "package e2e\n\nfunc TestSummaryExample(t *testing.T) { post(t, \"/v1/summary\", `[1,2,3]`) }\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)
	}
	sp := spec.Service{Name: "stats", Dir: "svc", TestsDir: "tests", Description: "Percentiles by the nearest-rank method: rank = ceil(q/100 * n).",
		Endpoints: []spec.Endpoint{
			{Method: "POST", Path: "/v1/summary", Description: "p50 and p90 of a list", Examples: []spec.Example{{Name: "three", Body: []any{1, 2, 3}, Status: 200, Response: map[string]any{"P50": 2}}}},
			{Method: "GET", Path: "/v1/other", Description: "nothing", Examples: []spec.Example{{Name: "other-example", Status: 204}}},
		}}
	return &loop{in: Input{Workdir: dir, Spec: sp, PromptBytes: Settings.Default.(Config).PromptBytes}, out: &Output{}}
}

func render(t *testing.T, p TriagePrompt) string {
	t.Helper()
	pt, err := prompts.Load("test.triage")
	if err != nil {
		t.Fatal(err)
	}
	r, err := pt.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return r.System + r.User
}

// A unit test's failure shows the test, the helper it asserts with, the
// function it calls and the one that function calls, the spec's words,
// and the taxonomy; not code the failure does not reach.
func TestContextFollowsCalls(t *testing.T) {
	l := statsLoop(t)
	f := triage.Failure{Class: failure.AssertionFailure, Test: "TestSummarize", File: "svc/stats_test.go", Line: 13, Message: "p50 = 1, want 2",
		Evidence: []string{"stats_test.go:13: p50 = 1, want 2"}, Signature: "s"}
	p := l.context(Cluster{Failures: []triage.Failure{f}}, nil)
	l.in.PromptBytes = frameBytes + size(p) + 800 // too small for the whole file: declarations by rank
	p = l.context(Cluster{Failures: []triage.Failure{f}}, nil)
	text := render(t, p)
	for _, want := range []string{"func TestSummarize", "func check(", "func summarize(", "func nearestRank(", "rank = ceil(q/100 * n)",
		"assertion_failure: a test ran", "p50 = 1, want 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("the prompt lacks %q", want)
		}
	}
	if strings.Contains(text, "func unrelated") || strings.Contains(text, "func handleOther") {
		t.Errorf("the prompt shows code the failure does not reach:\n%s", text)
	}
	// Whole files when they fit.
	l.in.PromptBytes = Settings.Default.(Config).PromptBytes
	p = l.context(Cluster{Failures: []triage.Failure{f}}, nil)
	if len(p.Code) != 1 || !p.Code[0].Whole {
		t.Errorf("code: %+v", p.Code)
	}
}

// An acceptance test's failure shows the handler behind its endpoint and
// the spec's examples of that endpoint only.
func TestContextFindsTheHandlerOfAnEndpoint(t *testing.T) {
	l := statsLoop(t)
	f := triage.Failure{Class: failure.AssertionFailure, Test: "TestSummaryExample", File: "tests/e2e/e2e_test.go", Line: 3,
		Message: "POST /v1/summary: status 200, body {\"P50\":1}", Signature: "e"}
	text := render(t, l.context(Cluster{Failures: []triage.Failure{f}}, nil))
	for _, want := range []string{"func handleSummary(", "func summarize(", `"name":"three"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the prompt lacks %q", want)
		}
	}
	if strings.Contains(text, "other-example") {
		t.Error("examples of an endpoint the failure does not involve")
	}
}

// What the model asks to see is shown in the follow-up; what does not
// exist is named.
func TestContextShowsWhatWasAskedFor(t *testing.T) {
	l := statsLoop(t)
	f := triage.Failure{Class: failure.AssertionFailure, Test: "TestSummarize", Signature: "s"}
	p := l.context(Cluster{Failures: []triage.Failure{f}}, []string{"unrelated", "nosuch"})
	text := render(t, p)
	if !strings.Contains(text, "You asked to see svc/stats.go") || !strings.Contains(text, "func unrelated") || !strings.Contains(text, "Not found in the service or its tests: nosuch") {
		t.Errorf("follow-up:\n%s", text)
	}
}

// A big cluster over a big service still fits the budget, system message
// included: failures past the first few take a line each, and the code
// gets what is left.
func TestQuestionFitsTheBudget(t *testing.T) {
	l := statsLoop(t)
	big := strings.Repeat("// padding that makes the file too big for the budget\n", 600)
	os.WriteFile(filepath.Join(l.in.Workdir, "svc/stats.go"), []byte(statsSrc+big), 0o644)
	var fs []triage.Failure
	for i := range 9 {
		fs = append(fs, triage.Failure{Class: failure.AssertionFailure, Test: fmt.Sprintf("TestSummarize/case_%d", i), File: "svc/stats_test.go", Line: 13,
			Message: "p50 = 1, want 2", Evidence: []string{strings.Repeat("stats_test.go:13: p50 = 1, want 2 ", 40)}, Signature: fmt.Sprint(i)})
	}
	pt, _ := prompts.Load("test.triage")
	for _, budget := range []int{8 << 10, Settings.Default.(Config).PromptBytes} {
		l.in.PromptBytes = budget
		p, err := l.question(pt, Cluster{Failures: fs, Why: "subtests"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(p.System) + len(p.User); n > budget || !strings.Contains(p.User, "func nearestRank") || !strings.Contains(p.User, "Failure 9: TestSummarize/case_8 at svc/stats_test.go:13: p50 = 1, want 2") {
			t.Errorf("budget %d: a prompt of %d bytes:\n%s", budget, n, p.User)
		}
	}
}
