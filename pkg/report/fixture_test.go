package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// failingRun is a run whose test phase did not get everything passing: a
// remediation applied in iteration 1, a failure left in iteration 2, a
// refused proposal, a lint fix. It writes the patches its changes name
// into a run directory and returns that directory.
func failingRun(t *testing.T) (Input, string) {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("03-lint/fixes/01-goimports.patch", "--- a/service/handlers.go\n+++ b/service/handlers.go\n@@ -3,4 +3,3 @@\n import (\n-\t\"os\"\n \t\"net/http\"\n )\n")
	write("05-test/diffs/01-triage.patch", "--- a/service/handlers.go\n+++ b/service/handlers.go\n@@ -40,3 +40,3 @@ func health(w http.ResponseWriter, r *http.Request) {\n-\tw.WriteHeader(http.StatusCreated)\n+\tw.WriteHeader(http.StatusOK)\n \tw.Write([]byte(`{\"status\":\"ok\"}`))\n")
	in := Input{
		RunID: "20261121T010203Z-abcdef", TraceID: "0123456789abcdef0123456789abcdef", Service: "deploy-notifier",
		StartedAt: time.Date(2026, 11, 21, 1, 2, 3, 0, time.UTC), Offline: true,
		Phases: []summary.Phase{
			{Name: "scaffold", Status: "success", DurationSeconds: 0.7, Dir: "01-scaffold", InputHash: "aaaaaaaaaaaaaaaaaaaa"},
			{Name: "testgen", Status: "success", DurationSeconds: 2.2, Dir: "02-testgen"},
			{Name: "lint", Status: "success", DurationSeconds: 6.0, Dir: "03-lint"},
			{Name: "deploy", Status: "success", DurationSeconds: 11.0, Dir: "04-deploy"},
			{Name: "test", Status: "failed", DurationSeconds: 20.0, Dir: "05-test"},
			{Name: "report", Status: "success", DurationSeconds: 0.1, Dir: "06-report"},
		},
		Failures: []summary.Failure{
			{Phase: "test", Class: "assertion_failure", Message: "TestExamples/ignored_event: status 500, want 202 (the loop stopped: iteration-limit)", Where: "tests/e2e/acceptance_test.go:91"},
		},
		Notes: []summary.Failure{
			{Phase: "test", Class: "assertion_failure", Message: "remediated in iteration 1 by triage: health answered 201", Where: "05-test/diffs/01-triage.patch"},
		},
		LLM:   summary.LLM{Calls: 2, CacheHits: 1, PromptTokens: 5200, CompletionTokens: 900, CostUSD: 0.0013},
		Tests: Tests{Passed: 28, Failed: 1},
		Calls: []Call{
			{Phase: "scaffold", N: 1, Role: "codegen", Provider: "openai", Model: "gpt-4o-mini", Prompt: "scaffold.codegen", PromptTokens: 3000, CompletionTokens: 700,
				CacheHit: true, Source: "recorded", PromptFile: "01-scaffold/llm/01-scaffold.codegen.prompt.md", ResponseFile: "01-scaffold/llm/01-scaffold.codegen.response.txt"},
			{Phase: "test", N: 1, Role: "triage", Provider: "ollama", Model: "qwen2.5-coder:7b", Prompt: "test.triage", PromptTokens: 2200, CompletionTokens: 200,
				CostUSD: 0.0013, LatencyMS: 4100, PromptFile: "05-test/llm/01-test.triage.prompt.md", ResponseFile: "05-test/llm/01-test.triage.response.txt"},
		},
		Details: []Detail{
			{Phase: "scaffold", Facts: []string{"6 file(s) in `service/`"}, AI: "wrote the handlers: 2 file(s) in `service/` (2 created), compiled after 1 attempt(s)"},
			{Phase: "lint", Facts: []string{"findings 1 before, 0 after"},
				Changes: []Change{{Title: "goimports (deterministic) on service/handlers.go", Status: "applied", Reason: "fixes an unused import", Patch: "03-lint/fixes/01-goimports.patch"}}},
			{Phase: "test", Facts: []string{"2 iteration(s); stopped: iteration-limit", "restored `service/handlers.go` after the fault"}, AI: "the triage role proposed 2 fix(es): 1 kept, 0 reverted, 1 left for a human",
				Iterations: []Iteration{
					{N: 1, Suites: []SuiteResult{{Name: "unit", Ran: true, Passed: 21}, {Name: "e2e", Ran: true, Passed: 6, Failed: 2, Log: "05-test/logs/01-e2e.jsonl"}},
						Failures: []FailureDetail{{Class: "assertion_failure", Where: "tests/e2e/acceptance_test.go:88", Message: "GET /healthz: status 201, want 200",
							Evidence: []string{"acceptance_test.go:88: GET /healthz: status 201, want 200"}}}},
					{N: 2, Verdict: "the change fixed 1 failure", Suites: []SuiteResult{{Name: "unit", Ran: true, Passed: 21}, {Name: "e2e", Ran: true, Passed: 7, Failed: 1, Log: "05-test/logs/02-e2e.jsonl"}},
						Failures: []FailureDetail{{Test: "TestExamples/ignored_event", Class: "assertion_failure", Where: "tests/e2e/acceptance_test.go:91", Message: "status 500, want 202", Evidence: []string{"acceptance_test.go:91: status 500, want 202"}}}},
				},
				Changes: []Change{
					{Title: "iteration 1, model fix by triage for tests/e2e/acceptance_test.go:88", Status: "applied", Reason: "health answered 201 instead of 200", Patch: "05-test/diffs/01-triage.patch"},
					{Title: "iteration 2, model fix by triage for TestExamples/ignored_event", Status: "refused", Reason: "the change policy refused it: it edits an acceptance test"},
				}},
		},
	}
	return in, dir
}

func failureWith(msg string) summary.Failure {
	return summary.Failure{Phase: "test", Class: "unknown", Message: msg}
}
