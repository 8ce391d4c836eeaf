package triage

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// A test's own failure line in words the comparison rules do not know is
// still the test's assertion, not "unknown".
func TestATestsOwnWordsAreItsAssertion(t *testing.T) {
	log := "--- FAIL: TestDeployEventAcceptsSevenCharCommit (0.00s)\n" +
		"    mutant_arith_163_test.go:15: validate rejected a 7-character commit: {Error:commit must be a hex commit id Field:commit}\n" +
		"FAIL\nFAIL\texample.com/deploy-notifier\t0.022s\nFAIL\n"
	fs := Classify(log)
	if len(fs) != 1 || fs[0].Class != failure.AssertionFailure || fs[0].File != "mutant_arith_163_test.go" || fs[0].Line != 15 {
		t.Fatalf("%+v", fs)
	}
}
