package testrun

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
)

// The first screen's line keeps the triage role's fixes apart from the
// deterministic ones, and says when the loop stopped without an answer.
func TestDetailAILine(t *testing.T) {
	rem := func(kind string, st change.Status) Remediation {
		return Remediation{Record: change.Record{Kind: kind, Status: st}}
	}
	o := Output{Remediations: []Remediation{rem("model", Applied), rem("model", Reverted), rem("model", Invalid), rem("deterministic", Applied)}}
	want := "the triage role proposed 3 fix(es): 1 kept, 1 reverted, 0 left for a human, 1 never made (no usable answer); deterministic fixes tried 1 fix(es): 1 kept, 0 reverted, 0 left for a human"
	if got := o.Detail().AI; got != want {
		t.Errorf("AI line\n got %q\nwant %q", got, want)
	}
	o = Output{Stop: StopModel, StopDetail: "offline replay has no recorded answer for phase test"}
	if got, want := o.Detail().AI, "the loop stopped without the triage role's answer: offline replay has no recorded answer for phase test"; got != want {
		t.Errorf("AI line\n got %q\nwant %q", got, want)
	}
	if got := (Output{Stop: StopPassed}).Detail().AI; got != "" {
		t.Errorf("no model asked, yet AI line %q", got)
	}
}
