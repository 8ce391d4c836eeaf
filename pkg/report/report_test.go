package report

import (
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestRecommendSpeaksToTheRun(t *testing.T) {
	in := Input{
		Offline: true,
		Phases:  []summary.Phase{{Name: "scaffold", Status: "failed"}, {Name: "lint", Status: "skipped", SkipReason: "x"}},
		Failures: []summary.Failure{
			{Phase: "scaffold", Class: string(failure.Interrupted), Message: "interrupted"},
			{Phase: "deploy", Class: string(failure.DockerUnavailable), Message: "no daemon"},
		},
	}
	recs := Recommend(in)
	if len(recs) < 3 {
		t.Fatalf("%d recommendations", len(recs))
	}
	joined := strings.Join(recs, "\n")
	for _, want := range []string{"--from scaffold", "systemctl start docker", "lint were skipped", "--offline"} {
		if !strings.Contains(joined, want) {
			t.Errorf("recommendations lack %q:\n%s", want, joined)
		}
	}
	// Run-specific advice comes before the standing advice.
	if !strings.Contains(recs[0], "docker") && !strings.Contains(recs[0], "--from") {
		t.Errorf("first recommendation is generic: %s", recs[0])
	}
	if n := len(Recommend(Input{})); n < 3 {
		t.Fatalf("a clean run gets %d recommendations", n)
	}
}

func TestRecommendForUnitTestsNotRegenerated(t *testing.T) {
	recs := Recommend(Input{Offline: true, Failures: []summary.Failure{{Phase: "testgen", Class: string(failure.LLMError),
		Message: "not regenerated: no recorded answer for the edited code (service/handlers.go); kept service/handlers_test.go as committed"}}})
	joined := strings.Join(recs, "\n")
	if !strings.Contains(joined, "committed unit tests were kept") || strings.Contains(joined, "A model call failed") {
		t.Errorf("the advice for tests not regenerated after a hand edit:\n%s", joined)
	}
}
