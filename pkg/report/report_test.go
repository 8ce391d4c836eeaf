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
	if len(recs) != 3 {
		t.Fatalf("%d recommendations, want one per failure and one for the skip:\n%s", len(recs), strings.Join(recs, "\n"))
	}
	joined := strings.Join(recs, "\n")
	for _, want := range []string{"--from scaffold", "systemctl start docker", "lint were skipped"} {
		if !strings.Contains(joined, want) {
			t.Errorf("recommendations lack %q:\n%s", want, joined)
		}
	}
	// A clean run, offline or not, is told nothing: no advice every run gets.
	for _, offline := range []bool{false, true} {
		if recs := Recommend(Input{Offline: offline}); len(recs) != 0 {
			t.Errorf("a clean run (offline %v) gets %d recommendations: %q", offline, len(recs), recs)
		}
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

// A phase the phase cache reused did not run: the outcome line says so.
func TestOutcomeCountsReusedPhasesApart(t *testing.T) {
	hit := &summary.PhaseCache{Status: "hit", FromRun: "cold"}
	in := Input{Phases: []summary.Phase{{Name: "scaffold", Status: "success", Cache: hit}, {Name: "review", Status: "skipped"},
		{Name: "deploy", Status: "success", Cache: hit}, {Name: "test", Status: "success", Cache: &summary.PhaseCache{Status: "miss"}}}}
	if got := Outcome(in); !strings.HasPrefix(got, "SUCCESS: 1 phase(s) ran, 2 reused from earlier runs (not run again), skipped: review;") {
		t.Errorf("outcome %q", got)
	}
}
