package triage

import (
	"strings"
	"testing"
)

// A table test that loops over a map prints its failing cases in a
// different order on every run: the failure must not change with it.
func TestSteadyOverMapOrder(t *testing.T) {
	a := "=== RUN   TestRejects\n    x_test.go:29: status = 422, want 400 (outages must be an array)\n    x_test.go:29: status = 422, want 400 (outages[0] must be an object)\n--- FAIL: TestRejects (0.00s)\n"
	b := "=== RUN   TestRejects\n    x_test.go:29: status = 422, want 400 (outages[0] must be an object)\n    x_test.go:29: status = 422, want 400 (outages must be an array)\n--- FAIL: TestRejects (0.00s)\n"
	fa, fb := FromText(a, "p", "TestRejects"), FromText(b, "p", "TestRejects")
	if len(fa) != 1 || len(fb) != 1 || fa[0].Signature != fb[0].Signature || strings.Join(fa[0].Evidence, "|") != strings.Join(fb[0].Evidence, "|") {
		t.Errorf("the failure depends on the order:\n%+v\n%+v", fa, fb)
	}
	// Lines from different places keep their order.
	c := "    x_test.go:30: second\n    x_test.go:29: first\n"
	if steady(c) != c {
		t.Errorf("reordered lines of different places: %q", steady(c))
	}
}
