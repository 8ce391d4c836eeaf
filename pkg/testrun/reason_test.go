package testrun

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

func TestReason(t *testing.T) {
	long := strings.Repeat("got {\"a\":1} ", 60)
	tests := []struct {
		name string
		f    triage.Failure
		want string // a prefix
	}{
		{"test first", triage.Failure{Test: "TestQuote/negative_weight", Message: "status 200, want 400"}, "TestQuote/negative_weight: status 200, want 400"},
		{"test named already", triage.Failure{Test: "TestX", Message: "--- FAIL: TestX\n  got 1"}, "--- FAIL: TestX got 1"},
		{"no test", triage.Failure{Message: "undefined: quote"}, "undefined: quote"},
		{"long", triage.Failure{Test: "TestY", Message: long}, "TestY: got"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reason(tt.f)
			if !strings.HasPrefix(got, tt.want) || utf8.RuneCountInString(got) > maxReason || strings.Contains(got, "\n") {
				t.Errorf("reason = %q, want it to start %q, one line, at most %d characters", got, tt.want, maxReason)
			}
		})
	}
}
