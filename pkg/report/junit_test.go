package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitIsValidWithTheRightCounts(t *testing.T) {
	cases := []Case{
		{Suite: "unit example.com/x", Name: "TestA", Status: "pass", Seconds: 0.01},
		{Suite: "unit example.com/x", Name: "TestB", Status: "fail", Seconds: 0.02, Output: "=== RUN   TestB\n    b_test.go:9: got 1, want <2> & \"3\"\n--- FAIL: TestB\n"},
		{Suite: "unit example.com/x", Name: "TestC", Status: "skip"},
		{Suite: "e2e example.com/x/tests/e2e", Name: "TestExamples/healthy", Status: "pass", Seconds: 0.5},
	}
	b, err := JUnit("run1", cases)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, b)
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 2 {
		t.Errorf("counts: %+v", doc)
	}
	unit := doc.Suites[1]
	if unit.Name != "unit example.com/x" || unit.Tests != 3 || unit.Failures != 1 || unit.Cases[1].Failure == nil ||
		!strings.Contains(unit.Cases[1].Failure.Message, "got 1, want <2>") || unit.Cases[2].Skipped == nil {
		t.Errorf("unit suite: %+v", unit)
	}
}
