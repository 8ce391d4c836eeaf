package testrun

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

const calc = `package calc

// Add adds.
func Add(a, b int) int { return a - b }

// Mul multiplies.
func Mul(a, b int) int { return a * b }
`

const calcTest = `package calc

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Errorf("Add(2, 3) = %d, want 5", got)
	}
}

func TestMul(t *testing.T) {
	if got := Mul(2, 3); got != 6 {
		t.Errorf("Mul(2, 3) = %d, want 6", got)
	}
}
`

// setup plants a module whose Add is wrong, and a stand-in triage model
// that answers with answer(question).
func setup(t *testing.T, src string, answer func(q fixtures.Question) (Answer, bool)) (*phasetest.Harness, Input) {
	t.Helper()
	h := phasetest.New(t, "test", phasetest.Config(t, Settings), nil)
	h.Server.Respond = func(q fixtures.Question) (string, bool) {
		if q.Prompt != "test.triage" {
			return "", false
		}
		a, ok := answer(q)
		b, _ := json.Marshal(a)
		return string(b), ok
	}
	for p, s := range map[string]string{"svc/go.mod": "module example.com/calc\n\ngo 1.24\n", "svc/calc.go": src, "svc/calc_test.go": calcTest} {
		abs := filepath.Join(h.Workdir, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := Settings.Default.(Config) // the defaults live in one place
	in := Input{Spec: spec.Service{Dir: "svc", TestsDir: "tests"}, Workdir: h.Workdir, RunID: "run1", MaxIterations: 3,
		MaxQuestions: d.MaxQuestions, PromptBytes: d.PromptBytes,
		Policy: change.Policy{Dirs: []string{"svc", "tests"}, Protected: []string{"tests/e2e"}, MaxLines: 20}, MaxLinesRun: 100, MinConfidence: 0.6}
	return h, in
}

func fixAdd(q fixtures.Question) (Answer, bool) {
	return Answer{Class: "assertion_failure", RootCause: "Add subtracts", Confidence: 0.9,
		Edits: []change.Edit{{Path: "svc/calc.go", Old: "return a - b", New: "return a + b"}}}, true
}

func TestGoodFixIsKept(t *testing.T) {
	h, in := setup(t, calc, fixAdd)
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	if out.Stop != StopPassed || len(out.Remediations) != 1 || out.Remediations[0].Status != Applied {
		t.Fatalf("stop %s, remediations %+v\n%s", out.Stop, out.Remediations, h.Log)
	}
	r := out.Remediations[0]
	if r.Failure.Class != failure.AssertionFailure || r.Failures != [2]int{1, 0} || r.Prompt == "" || r.Response == "" {
		t.Errorf("remediation: %+v", r)
	}
	// The triage prompt holds the failing test and the code under test.
	prompt := h.Read(t, r.Prompt)
	for _, want := range []string{"func TestAdd", "func Add(a, b int) int", "Add(2, 3) = -1, want 5"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt lacks %q", want)
		}
	}
	if out.Final.Passed != 2 || out.Final.Failed != 0 || len(out.Iterations) != 2 {
		t.Errorf("final %+v after %d iterations", out.Final, len(out.Iterations))
	}
	// The patch applies to the tree it was made from.
	pristine := t.TempDir()
	os.MkdirAll(filepath.Join(pristine, "svc"), 0o755)
	os.WriteFile(filepath.Join(pristine, "svc/calc.go"), []byte(calc), 0o644)
	cmd := exec.Command("git", "apply", "--check", filepath.Join(h.Run.Dir, r.Patch))
	cmd.Dir = pristine
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("git apply --check: %v\n%s", err, b)
	}
}

// A fix that makes things worse is reverted; the same failures then come
// back, and the loop stops as stuck instead of trying forever.
func TestWorseFixIsRevertedThenStuck(t *testing.T) {
	h, in := setup(t, calc, func(q fixtures.Question) (Answer, bool) {
		return Answer{Class: "assertion_failure", RootCause: "guess", Confidence: 0.9,
			Edits: []change.Edit{{Path: "svc/calc.go", Old: "return a * b", New: "return a * b * 2"}}}, true
	})
	out, err := Run(context.Background(), h.Env, in)
	if err == nil {
		t.Fatal("the phase passed with a failing test")
	}
	if out.Stop != StopNoFix && out.Stop != StopStuck {
		t.Errorf("stop %s: %s", out.Stop, out.StopDetail)
	}
	if len(out.Remediations) == 0 || out.Remediations[0].Status != Reverted || out.Remediations[0].Failures != [2]int{1, 2} {
		t.Fatalf("remediations: %+v\n%s", out.Remediations, h.Log)
	}
	b, _ := os.ReadFile(filepath.Join(h.Workdir, "svc/calc.go"))
	if string(b) != calc {
		t.Errorf("not reverted:\n%s", b)
	}
	if failure.ClassOf(err) != failure.AssertionFailure {
		t.Errorf("phase error class %s: %v", failure.ClassOf(err), err)
	}
}

func TestStuckWhenTheSameFailureComesBack(t *testing.T) {
	// Each answer changes the code, and the failure stays the same.
	n := 0
	h, in := setup(t, calc, func(q fixtures.Question) (Answer, bool) {
		n++
		return Answer{Class: "assertion_failure", RootCause: "guess", Confidence: 0.9,
			Edits: []change.Edit{{Path: "svc/calc.go", Old: "// Add adds.", New: "// Add adds. (try)"}}}, true
	})
	out, _ := Run(context.Background(), h.Env, in)
	if out.Stop != StopStuck && out.Stop != StopNoFix {
		t.Fatalf("stop %s (%s)\n%s", out.Stop, out.StopDetail, h.Log)
	}
	if n > 2 {
		t.Errorf("the model was asked %d times about the same failure", n)
	}
}

func TestPolicyRefusalsAreProposals(t *testing.T) {
	cases := []struct {
		name   string
		answer Answer
		status string
		reason string
	}{
		{"acceptance test", Answer{Confidence: 0.9, TestIsWrong: true, Edits: []change.Edit{{Path: "tests/e2e/x_test.go", Old: "a", New: "b"}}}, Refused, "protected"},
		{"test file without triage saying so", Answer{Confidence: 0.9, Edits: []change.Edit{{Path: "svc/calc_test.go", Old: "want 5", New: "want -1"}}}, Refused, "test-edit"},
		{"weakened assertion", Answer{Confidence: 0.9, TestIsWrong: true, Edits: []change.Edit{{Path: "svc/calc_test.go", Old: "got != 5", New: "got != -1"}}}, Refused, "assertion"},
		{"skip added", Answer{Confidence: 0.9, TestIsWrong: true, Edits: []change.Edit{{Path: "svc/calc_test.go", Old: "func TestAdd(t *testing.T) {\n", New: "func TestAdd(t *testing.T) {\n\tt.Skip(\"flaky\")\n"}}}, Refused, "skip"},
		{"outside the workdir's dirs", Answer{Confidence: 0.9, Edits: []change.Edit{{Path: "go.mod", Old: "a", New: "b"}}}, Invalid, ""},
		{"low confidence", Answer{Confidence: 0.3, Edits: []change.Edit{{Path: "svc/calc.go", Old: "return a - b", New: "return a + b"}}}, Proposal, "min_confidence"},
		{"needs a human", Answer{Confidence: 0.9, NeedsHuman: true}, Proposal, "human"},
		{"too big", Answer{Confidence: 0.9, Edits: []change.Edit{{Path: "svc/calc.go", Old: "// Mul multiplies.", New: strings.Repeat("// x\n", 30) + "// Mul multiplies."}}}, Refused, "size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, in := setup(t, calc, func(fixtures.Question) (Answer, bool) { return c.answer, true })
			os.MkdirAll(filepath.Join(h.Workdir, "tests/e2e"), 0o755)
			os.WriteFile(filepath.Join(h.Workdir, "tests/e2e/x_test.go"), []byte("a"), 0o644)
			out, err := Run(context.Background(), h.Env, in)
			if err == nil || out.Stop != StopNoFix {
				t.Fatalf("err %v, stop %s", err, out.Stop)
			}
			r := out.Remediations[0]
			if r.Status != c.status || !strings.Contains(r.Reason, c.reason) {
				t.Errorf("status %s (%s), want %s with %q", r.Status, r.Reason, c.status, c.reason)
			}
			b, _ := os.ReadFile(filepath.Join(h.Workdir, "svc/calc_test.go"))
			if string(b) != calcTest {
				t.Error("the test file changed")
			}
		})
	}
}

func TestFlakyTestIsReportedNotFixed(t *testing.T) {
	asked := false
	h, in := setup(t, strings.Replace(calc, "a - b", "a + b", 1), func(fixtures.Question) (Answer, bool) { asked = true; return Answer{}, false })
	in.Inject = "flaky-test"
	in.Spec.Dir = "svc"
	// The flaky test is planted in package main by --inject; use a package
	// main module here.
	os.WriteFile(filepath.Join(h.Workdir, "svc/calc.go"), []byte(strings.Replace(strings.Replace(calc, "a - b", "a + b", 1), "package calc", "package main\n\nfunc main() {}", 1)), 0o644)
	os.WriteFile(filepath.Join(h.Workdir, "svc/calc_test.go"), []byte(strings.Replace(calcTest, "package calc", "package main", 1)), 0o644)
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	if out.Stop != StopFlaky || len(out.Flaky) != 1 || out.Flaky[0].Test != "TestInjectedFlaky" || len(out.Remediations) != 0 || asked {
		t.Fatalf("stop %s, flaky %+v, remediations %+v, asked %v\n%s", out.Stop, out.Flaky, out.Remediations, asked, h.Log)
	}
	if !out.Inject.Restored {
		t.Error("the planted test was not removed")
	}
	if out.Final.Failed != 0 || out.Final.Passed != 3 {
		t.Errorf("final %+v: a flaky test counts as its re-run", out.Final)
	}
	if _, err := os.Stat(filepath.Join(h.Workdir, "svc/injected_flaky_test.go")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("planted test left behind: %v", err)
	}
}

func TestIterationLimit(t *testing.T) {
	h, in := setup(t, strings.Replace(calc, "a * b", "a * b + 1", 1), fixAdd)
	in.MaxIterations = 1
	out, err := Run(context.Background(), h.Env, in)
	if err == nil || out.Stop != StopLimit {
		t.Fatalf("err %v, stop %s\n%s", err, out.Stop, h.Log)
	}
	if len(out.Remaining) != 1 || out.Remaining[0].Test != "TestMul" || out.Final.Passed != 1 || out.Final.Failed != 1 {
		t.Errorf("remaining %+v, final %+v", out.Remaining, out.Final)
	}
}

func TestUnknownFault(t *testing.T) {
	h, in := setup(t, calc, fixAdd)
	in.Inject = "gremlins"
	_, err := Run(context.Background(), h.Env, in)
	if failure.ClassOf(err) != failure.ConfigError || !strings.Contains(err.Error(), "nil-map") {
		t.Errorf("%v", err)
	}
}

// An operator with no site in this service is a config error naming the
// ones that have one; one with a site plants a fault in this service's own
// code (not the reference's), and the loop fixes it.
func TestInjectAnyService(t *testing.T) {
	src := strings.Replace(strings.Replace(calc, "a - b", "a + b", 1), "return a * b", "return a * b * 1", 1)
	h, in := setup(t, src, nil)
	in.Inject = "nil-map" // calc has no handler
	_, err := Run(context.Background(), h.Env, in)
	if failure.ClassOf(err) != failure.ConfigError || !strings.Contains(err.Error(), "arith (1)") {
		t.Errorf("%v", err)
	}
	h, in = setup(t, src, func(q fixtures.Question) (Answer, bool) {
		return Answer{Class: "assertion_failure", RootCause: "Mul doubles", Confidence: 0.9,
			Edits: []change.Edit{{Path: "svc/calc.go", Old: "return a * b * 2", New: "return a * b * 1"}}}, true
	})
	in.Inject = "arith"
	out, err := Run(context.Background(), h.Env, in)
	if err != nil || out.Inject == nil || out.Stop != StopPassed {
		t.Fatalf("%v %+v\n%s", err, out.Inject, h.Log)
	}
	if inj := out.Inject; !strings.HasPrefix(inj.Site, "svc/calc.go:") || inj.Expected != "assertion_failure" || strings.Join(inj.Found, ",") != "assertion_failure" || !inj.Restored {
		t.Errorf("injection %+v", inj)
	}
}

// A deploy phase that failed (Docker down) leaves no URL: the acceptance
// tests are not run against nothing, and the run says why.
func TestFailedDeploySkipsAcceptanceTests(t *testing.T) {
	h, in := setup(t, strings.Replace(calc, "a - b", "a + b", 1), fixAdd)
	for p, s := range map[string]string{"tests/go.mod": "module example.com/calc/tests\n\ngo 1.24\n",
		"tests/e2e/e2e_test.go": "package e2e\n\nimport \"testing\"\n\nfunc TestE2E(t *testing.T) { t.Fatal(\"ran without a service\") }\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(h.Workdir, p)), 0o755)
		os.WriteFile(filepath.Join(h.Workdir, p), []byte(s), 0o644)
	}
	in.Service = nil // the deploy phase failed: the pipeline hands no service on
	out, err := Run(context.Background(), h.Env, in)
	if err != nil || out.Stop != StopPassed {
		t.Fatalf("%v, stop %s\n%s", err, out.Stop, h.Log)
	}
	if e := out.Iterations[0].E2E; e.Ran || !strings.Contains(e.Why, "no service is deployed") {
		t.Errorf("e2e: %+v", e)
	}
}
