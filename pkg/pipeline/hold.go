package pipeline

import (
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func isHold(err error) bool {
	_, ok := phase.IsHold(err)
	return ok
}

// hold stops the run after the phase for a human's approval: the phases
// after it are skipped (the report still runs), and the summary says what
// to approve and how.
func (s *State) hold(name string, h *phase.HoldError) {
	s.held = name
	s.Failures = append(s.Failures, summary.Failure{Phase: name, Class: string(failure.NeedsApproval), Message: h.Reason + "; next: " + h.Next})
}
