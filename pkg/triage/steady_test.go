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
	// Cases that print two lines each, in map order.
	c := "    x_test.go:29: b: got 1\n    x_test.go:31: b: want 2\n    x_test.go:29: a: got 3\n    x_test.go:31: a: want 4\n"
	d := "    x_test.go:29: a: got 3\n    x_test.go:31: a: want 4\n    x_test.go:29: b: got 1\n    x_test.go:31: b: want 2\n"
	if steady(c) != steady(d) {
		t.Errorf("two orders, two texts:\n%s\n%s", steady(c), steady(d))
	}
	// What is not the test's own output stays where it is.
	e := "=== RUN   TestX\n    x_test.go:29: b\n--- FAIL: TestX (0.00s)\n    x_test.go:28: a\n"
	if got := steady(e); got != "=== RUN   TestX\n    x_test.go:28: a\n--- FAIL: TestX (0.00s)\n    x_test.go:29: b\n" {
		t.Errorf("steady: %q", got)
	}
}
