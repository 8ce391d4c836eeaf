package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// noted is an Output with notes and further failures.
type noted struct{ notes, more []summary.Failure }

func (n noted) Notes() []summary.Failure        { return n.notes }
func (n noted) MoreFailures() []summary.Failure { return n.more }

func notedPhase(name string, o noted, err error) Phase {
	return Step(name, "a fake phase", config.Section{}, func(phase.Setup) (in, error) { return in{}, nil },
		func(context.Context, phase.Env, in) (noted, error) { return o, err })
}

// A succeeding phase's notes are notes, not failures: the run succeeds
// with no failure. A failed phase's error is the first failure, its
// further failures follow, its notes stay notes.
func TestNotesAreNotFailures(t *testing.T) {
	flaky := summary.Failure{Phase: "test", Class: string(failure.Flaky), Message: "TestX failed, then passed alone"}
	s := newState(t)
	r := &Runner{Now: time.Now, Phases: []Phase{notedPhase("lint", noted{notes: []summary.Failure{flaky}}, nil)}}
	r.Run(context.Background(), s)
	sum := finish(t, s, context.Background())
	if sum.Status != summary.Success || len(sum.Failures) != 0 || len(sum.Notes) != 1 {
		t.Fatalf("status %s, failures %+v, notes %+v", sum.Status, sum.Failures, sum.Notes)
	}

	s = newState(t)
	second := summary.Failure{Phase: "test", Class: string(failure.AssertionFailure), Message: "TestY: got 1, want 2"}
	err := &failure.Error{Class: failure.AssertionFailure, Message: "TestZ: got 3, want 4 (1 more failure(s); the loop stopped: no-fix)"}
	r = &Runner{Now: time.Now, Phases: []Phase{notedPhase("test", noted{notes: []summary.Failure{flaky}, more: []summary.Failure{second}}, err)}}
	r.Run(context.Background(), s)
	sum = finish(t, s, context.Background())
	if sum.Status != summary.Failed || len(sum.Failures) != 2 || sum.Failures[0].Message != err.Message || sum.Failures[1] != second || len(sum.Notes) != 1 {
		t.Fatalf("status %s, failures %+v, notes %+v", sum.Status, sum.Failures, sum.Notes)
	}
}
