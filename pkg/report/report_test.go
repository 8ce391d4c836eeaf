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

func TestMarkdownHasOutcomePhasesAndFailures(t *testing.T) {
	in := Input{RunID: "r1", Service: "svc",
		Phases:   []summary.Phase{{Name: "report", Status: "success", DurationSeconds: 0.5, InputHash: strings.Repeat("a", 64)}},
		Failures: []summary.Failure{{Phase: "report", Class: "llm_error", Message: "budget", Where: "06-report/logs/phase.log"}}}
	md := Markdown(in, []string{"a", "b", "c"})
	for _, want := range []string{"# orchestrate run r1", "**Outcome:** 1 phase(s) ran", "| report | success | 0.50s | `aaaaaaaaaaaa` |", "**llm_error** in `report` (owner: tool): budget — see `06-report/logs/phase.log`", "- c"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
