package phase

import "errors"

// HoldError is a phase stopping the run before the phases after it until
// a human approves (the review gate): the run ends "needs_approval", with
// the reason and what to run next.
type HoldError struct {
	Reason string
	Next   string // the command that approves, with its placeholders
}

func (e *HoldError) Error() string { return "held for approval: " + e.Reason }

// Hold returns a HoldError.
func Hold(reason, next string) error { return &HoldError{Reason: reason, Next: next} }

// IsHold reports whether err holds the run, and the hold.
func IsHold(err error) (*HoldError, bool) {
	var h *HoldError
	if errors.As(err, &h) {
		return h, true
	}
	return nil, false
}
