package testrun

import (
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// maxReason bounds a failure's one-line reason; the evidence is in the
// logs and the report.
const maxReason = 200

// reason is a failure in one short line: the test, then what it asserted.
func reason(f triage.Failure) string {
	msg := strings.Join(strings.Fields(f.Message), " ")
	if f.Test != "" && !strings.Contains(msg, f.Test) {
		msg = f.Test + ": " + msg
	}
	if r := []rune(msg); len(r) > maxReason {
		msg = string(r[:maxReason-1]) + "…"
	}
	return msg
}
