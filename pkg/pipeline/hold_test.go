package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// A phase that holds the run for a human: the phases after it are
// skipped but the report, and the run ends needs_approval, exit 4, with a
// failure saying what to approve and how.
func TestHoldStopsBeforeDeployAndEndsNeedsApproval(t *testing.T) {
	s := newState(t)
	r := &Runner{Now: time.Now, Phases: []Phase{
		fake("lint", func(context.Context) error { return nil }),
		fake("review", func(context.Context) error {
			return phase.Hold("a secret at service/x.go:3", "orchestrate approve run1 --reason …")
		}),
		fake("deploy", func(context.Context) error { t.Error("deploy ran after a hold"); return nil }),
		fake("report", func(context.Context) error { return nil }).Always(),
	}}
	r.Run(context.Background(), s)
	sum := finish(t, s, context.Background())
	if sum.Status != summary.NeedsApproval || sum.ExitCode != summary.ExitNeedsApproval {
		t.Fatalf("status %s exit %d", sum.Status, sum.ExitCode)
	}
	if got := statuses(sum); got != "lint=success review=held deploy=skipped report=success" {
		t.Fatalf("phases: %s", got)
	}
	if !strings.HasPrefix(sum.Phases[2].SkipReason, "held for approval: review") {
		t.Errorf("skip reason %q", sum.Phases[2].SkipReason)
	}
	f := sum.Failures[0]
	if f.Class != string(failure.NeedsApproval) || !strings.Contains(f.Message, "a secret at service/x.go:3; next: orchestrate approve run1") {
		t.Fatalf("failure %+v", f)
	}
}

// A failure wins over a hold: a run that failed is failed.
func TestFailureWinsOverHold(t *testing.T) {
	s := newState(t)
	r := &Runner{Now: time.Now, Phases: []Phase{
		fake("review", func(context.Context) error { return phase.Hold("risky", "approve") }),
		fake("report", func(context.Context) error { return &failure.Error{Class: failure.Unknown, Message: "disk full"} }).Always(),
	}}
	r.Run(context.Background(), s)
	if sum := finish(t, s, context.Background()); sum.Status != summary.Failed || sum.ExitCode != 1 {
		t.Fatalf("status %s exit %d", sum.Status, sum.ExitCode)
	}
}
