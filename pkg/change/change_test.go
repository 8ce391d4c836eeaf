package change

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSrc = `package main

import "testing"

func TestAdd(t *testing.T) {
	if got := add(1, 2); got != 3 {
		t.Errorf("add(1, 2) = %d, want 3", got)
	}
}

func TestSub(t *testing.T) {
	if sub(3, 1) != 2 {
		t.Fatal("sub")
	}
}
`

func testSet(after string) Set {
	return Set{Files: []File{{Path: "service/main_test.go", Before: []byte(testSrc), After: []byte(after)}}}
}

func TestPolicyRefuses(t *testing.T) {
	lint := Policy{Dirs: []string{"service", "tests"}, Protected: []string{"tests/e2e"}, MaxLines: 6, TestEdits: true}
	cases := []struct {
		name string
		pol  Policy
		set  Set
		rule string
	}{
		{"outside", lint, Set{Files: []File{{Path: "go.mod", Before: []byte("a"), After: []byte("b")}}}, RulePath},
		{"NUL in the path", lint, Set{Files: []File{{Path: "service/a\x00.go", Before: []byte("a"), After: []byte("b")}}}, RulePath},
		{"300-byte name", lint, Set{Files: []File{{Path: "service/" + strings.Repeat("a", 297) + ".go", Before: []byte("a"), After: []byte("b")}}}, RulePath},
		{"acceptance tests", lint, Set{Files: []File{{Path: "tests/e2e/acceptance_test.go", Before: []byte("a"), After: []byte("b")}}}, RuleProtected},
		{"too big", lint, Set{Files: []File{{Path: "service/a.go", Before: []byte("a\nb\nc\nd\n"), After: []byte("e\nf\ng\nh\n")}}}, RuleSize},
		{"changed expectation", lint, testSet(strings.Replace(testSrc, "got != 3", "got != 4", 1)), RuleAssertion},
		{"removed assertion", lint, testSet(strings.Replace(testSrc, "\t\tt.Fatal(\"sub\")\n", "", 1)), RuleAssertion},
		{"weakened condition", lint, testSet(strings.Replace(testSrc, "sub(3, 1) != 2", "false", 1)), RuleAssertion},
		{"skip added", lint, testSet(strings.Replace(testSrc, "func TestSub(t *testing.T) {\n", "func TestSub(t *testing.T) {\n\tt.Skip(\"later\")\n", 1)), RuleSkip},
		{"test removed", Policy{Dirs: []string{"service"}, TestEdits: true}, testSet(testSrc[:strings.Index(testSrc, "func TestSub")]), RuleTestGone},
		{"test file without triage", Policy{Dirs: []string{"service"}}, testSet(testSrc + "\n// x\n"), RuleTestEdit},
		{"deleted test file", lint, Set{Files: []File{{Path: "service/main_test.go", Before: []byte(testSrc)}}}, RuleTestGone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := c.pol.Check(c.set)
			for _, r := range rs {
				if r.Rule == c.rule {
					return
				}
			}
			t.Errorf("want a %s refusal, got %v", c.rule, rs)
		})
	}
}

func TestPolicyAllows(t *testing.T) {
	pol := Policy{Dirs: []string{"service"}, MaxLines: 20, TestEdits: true}
	// Reformatting and renaming a message's variable keep every assertion.
	reformatted := strings.Replace(testSrc, "if got := add(1, 2); got != 3 {", "if got := add(1,   2); got != 3 {", 1)
	if rs := pol.Check(testSet(reformatted)); len(rs) != 0 {
		t.Errorf("reformatting refused: %v", rs)
	}
	added := testSrc + "\nfunc TestMul(t *testing.T) {\n\tif mul(2, 3) != 6 {\n\t\tt.Error(\"mul\")\n\t}\n}\n"
	if rs := pol.Check(testSet(added)); len(rs) != 0 {
		t.Errorf("an added test refused: %v", rs)
	}
	code := Set{Files: []File{{Path: "service/main.go", Before: []byte("a\n"), After: []byte("b\n")}}}
	if rs := (Policy{Dirs: []string{"service"}, MaxLines: 2}).Check(code); len(rs) != 0 {
		t.Errorf("a small code change refused: %v", rs)
	}
}

func TestBuildApplyRevert(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "service"), 0o755); err != nil {
		t.Fatal(err)
	}
	orig := "a := 1\nb := 1\nc := 2\n"
	if err := os.WriteFile(filepath.Join(dir, "service/x.go"), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(dir, []Edit{{Path: "service/x.go", Old: " := 1", New: " := 3"}}, nil); err == nil || !strings.Contains(err.Error(), "occurs 2 times") {
		t.Errorf("ambiguous edit: %v", err)
	}
	if _, err := Build(dir, []Edit{{Path: "service/x.go", Old: "d := 4", New: ""}}, nil); err == nil || !strings.Contains(err.Error(), "not in the file") {
		t.Errorf("missing old text: %v", err)
	}
	if _, err := Build(dir, []Edit{{Path: "../x.go", Old: "a", New: "b"}}, nil); err == nil {
		t.Error("a path leaving the workdir was accepted")
	}
	set, err := Build(dir, []Edit{{Path: "service/x.go", Old: "a := 1", New: "a := 5"}, {Path: "service/x.go", Old: "c := 2", New: "c := 6"}},
		[]Whole{{Path: "service/y.go", Content: "new\n"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Apply(dir); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "service/x.go"))
	if string(got) != "a := 5\nb := 1\nc := 6\n" {
		t.Errorf("applied: %q", got)
	}
	// Applying again fails: the files no longer hold the Before state.
	if err := set.Apply(dir); err == nil {
		t.Error("a second Apply succeeded")
	}
	if err := set.Revert(dir); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "service/x.go"))
	if string(got) != orig {
		t.Errorf("reverted: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "service/y.go")); !os.IsNotExist(err) {
		t.Errorf("the new file survived the revert: %v", err)
	}
	if p, _ := set.Patch(); !strings.Contains(p, "+a := 5") || !strings.Contains(p, "new file mode") {
		t.Errorf("patch:\n%s", p)
	}
}
