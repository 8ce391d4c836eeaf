package testrun

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

func fail(class failure.Class, pkg, test, file string, line int, msg string) triage.Failure {
	f := triage.Failure{Class: class, Package: pkg, Test: test, File: file, Line: line, Message: msg}
	f.Signature = string(class) + "|" + f.Where() + "|" + test + "|" + msg
	return f
}

var (
	addFail   = fail(failure.AssertionFailure, "calc", "TestAdd", "svc/calc_test.go", 7, "Add(2, 3) = -1, want 5")
	mulFail   = fail(failure.AssertionFailure, "calc", "TestMul", "svc/calc_test.go", 13, "Mul(2, 3) = 7, want 6")
	newFail   = fail(failure.AssertionFailure, "calc", "TestDiv", "svc/calc_test.go", 20, "Div(6, 3) = 3, want 2")
	initPanic = fail(failure.Panic, "calc", "", "svc/calc.go", 3, "panic: 1")
	buildFail = fail(failure.CompileError, "calc", "", "svc/calc.go", 4, "undefined: b")
	mulDrift  = fail(failure.AssertionFailure, "calc", "TestMul", "svc/calc_test.go", 14, "Mul(2, 3) = 8, want 6")
	addDrift  = fail(failure.AssertionFailure, "calc", "TestAdd", "svc/calc_test.go", 7, "Add(2, 3) = 1, want 5")
)

func TestJudge(t *testing.T) {
	cases := []struct {
		name           string
		before, after  []triage.Failure
		targets        []triage.Failure
		keep           bool
		worse, unmasks bool
	}{
		{"targets gone, nothing new", []triage.Failure{addFail, mulFail}, []triage.Failure{mulFail}, []triage.Failure{addFail}, true, false, false},
		{"target still there", []triage.Failure{addFail}, []triage.Failure{addFail}, []triage.Failure{addFail}, false, false, false},
		{"fewer failures but the target stays", []triage.Failure{addFail, mulFail}, []triage.Failure{addFail}, []triage.Failure{addFail}, false, false, false},
		{"target gone, a new failure", []triage.Failure{addFail}, []triage.Failure{newFail}, []triage.Failure{addFail}, false, false, false},
		// Two test failures become one package failure: fewer failures, and worse.
		{"a panic instead of two failures", []triage.Failure{addFail, mulFail}, []triage.Failure{initPanic}, []triage.Failure{addFail, mulFail}, false, true, false},
		{"the build mended, failures it hid show", []triage.Failure{buildFail}, []triage.Failure{addFail, mulFail}, []triage.Failure{buildFail}, true, false, true},
		{"one of two targets gone, nothing new", []triage.Failure{addFail, mulFail}, []triage.Failure{mulFail}, []triage.Failure{addFail, mulFail}, true, false, false},
		{"all gone", []triage.Failure{addFail, mulFail}, nil, []triage.Failure{addFail, mulFail}, true, false, false},
		// A test that was failing still fails, with other numbers: it is
		// neither new (the target's fix is kept) nor gone (as a target).
		{"another failing test's message drifted", []triage.Failure{addFail, mulFail}, []triage.Failure{mulDrift}, []triage.Failure{addFail}, true, false, false},
		{"the target's message drifted", []triage.Failure{addFail}, []triage.Failure{addDrift}, []triage.Failure{addFail}, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := judge(c.before, c.after, c.targets)
			if v.Keep != c.keep || v.Worse != c.worse || v.Unmasks != c.unmasks || v.Why == "" {
				t.Errorf("verdict %+v; want keep %v worse %v unmasks %v", v, c.keep, c.worse, c.unmasks)
			}
		})
	}
}

func TestClusterFailures(t *testing.T) {
	sub1 := fail(failure.AssertionFailure, "p", "TestScore/low", "svc/s_test.go", 40, "score 0.5, want 0.7")
	sub2 := fail(failure.AssertionFailure, "p", "TestScore/high", "svc/s_test.go", 40, "score 0.9, want 0.95")
	helperA := fail(failure.AssertionFailure, "p", "TestA", "svc/h_test.go", 12, "status = 200, want 202")
	helperB := fail(failure.AssertionFailure, "p", "TestB", "svc/h_test.go", 12, "status = 200, want 201")
	build1 := fail(failure.CompileError, "p", "", "svc/a.go", 3, "undefined: x")
	build2 := fail(failure.ImportError, "p", "", "svc/b.go", 5, `"os" imported and not used`)
	other := fail(failure.AssertionFailure, "p", "TestOther", "svc/o_test.go", 9, "got 1")
	cs := clusterFailures([]triage.Failure{sub1, helperA, other, sub2, build1, helperB, build2})
	var got []string
	for _, c := range cs {
		var ts []string
		for _, f := range c.Failures {
			ts = append(ts, f.Test+"@"+f.Where())
		}
		got = append(got, strings.Join(ts, "+"))
	}
	want := []string{
		"@svc/a.go:3+@svc/b.go:5", // the build first, one question for the package
		"TestScore/low@svc/s_test.go:40+TestScore/high@svc/s_test.go:40",
		"TestA@svc/h_test.go:12+TestB@svc/h_test.go:12",
		"TestOther@svc/o_test.go:9",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("clusters:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(cs[1].Why, "subtests of one test function TestScore") || !strings.Contains(cs[2].Why, "assertion site") {
		t.Errorf("why: %q, %q", cs[1].Why, cs[2].Why)
	}
}

// calc2 has both functions wrong: two clusters.
var calc2 = strings.Replace(calc, "return a * b", "return a*b + 1", 1)

func answerBy(m map[string]Answer) func(q fixtures.Question) (Answer, bool) {
	return func(q fixtures.Question) (Answer, bool) {
		for k, a := range m {
			if strings.Contains(q.User, "Failure 1: "+k) {
				return a, true
			}
		}
		return Answer{}, false
	}
}

var (
	fixMul   = Answer{Class: "assertion_failure", RootCause: "Mul adds 1", Confidence: 0.9, Edits: []change.Edit{{Path: "svc/calc.go", Old: "return a*b + 1", New: "return a * b"}}}
	noop     = Answer{Class: "assertion_failure", RootCause: "a guess", Confidence: 0.9, Edits: []change.Edit{{Path: "svc/calc.go", Old: "// Mul multiplies.", New: "// Mul multiplies two ints."}}}
	addPanic = Answer{Class: "assertion_failure", RootCause: "a bad idea", Confidence: 0.9, Edits: []change.Edit{{Path: "svc/calc.go", Old: "// Add adds.", New: "func init() { panic(1) }\n\n// Add adds."}}}
)

// The loop's stops and verdicts, each on a real module run by the real
// go command, with a stand-in model answering per failure.
func TestLoop(t *testing.T) {
	cases := []struct {
		name     string
		src      string
		answers  map[string]Answer
		max      int
		stop     string
		statuses []string // of the remediations, in order
		left     []string // tests still failing
	}{
		{"passed", calc, map[string]Answer{"TestAdd": fixAdd0()}, 3, StopPassed, []string{Applied}, nil},
		{"revert, then the next cluster", calc2, map[string]Answer{"TestAdd": noop, "TestMul": fixMul}, 2, StopLimit, []string{Reverted, Applied}, []string{"TestAdd"}},
		{"a fix that adds a panic is reverted", calc2, map[string]Answer{"TestAdd": addPanic, "TestMul": fixMul}, 2, StopLimit, []string{Reverted, Applied}, []string{"TestAdd"}},
		{"the same reverted change again is stuck", calc2, map[string]Answer{"TestAdd": noop, "TestMul": noop}, 3, StopStuck, []string{Reverted, Refused}, []string{"TestAdd", "TestMul"}},
		{"iterations exhausted", calc2, map[string]Answer{"TestAdd": noop, "TestMul": fixMul}, 1, StopLimit, []string{Reverted}, []string{"TestAdd", "TestMul"}},
		{"no fix possible", calc, map[string]Answer{"TestAdd": {Class: "assertion_failure", RootCause: "the spec must say", Confidence: 0.9, NeedsHuman: true}}, 3, StopNoFix, []string{Proposal}, []string{"TestAdd"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, in := setup(t, c.src, answerBy(c.answers))
			in.MaxIterations = c.max
			out, err := Run(context.Background(), h.Env, in)
			if (err == nil) != (len(c.left) == 0) {
				t.Errorf("err %v with %d failure(s) left", err, len(out.Remaining))
			}
			var statuses, left []string
			for _, r := range out.Remediations {
				statuses = append(statuses, r.Status)
			}
			for _, f := range out.Remaining {
				left = append(left, f.Test)
			}
			if out.Stop != c.stop || strings.Join(statuses, ",") != strings.Join(c.statuses, ",") || strings.Join(left, ",") != strings.Join(c.left, ",") {
				t.Fatalf("stop %s (%s), statuses %v, left %v; want %s, %v, %v\n%s", out.Stop, out.StopDetail, statuses, left, c.stop, c.statuses, c.left, h.Log)
			}
			b, _ := os.ReadFile(filepath.Join(h.Workdir, "svc/calc.go"))
			if strings.Contains(string(b), "panic") || strings.Contains(string(b), "two ints") {
				t.Errorf("a reverted change is still in the code:\n%s", b)
			}
		})
	}
}

func fixAdd0() Answer { a, _ := fixAdd(fixtures.Question{}); return a }

// A model that answers garbage twice ends the loop as llm-error with the
// failure and its evidence kept.
func TestLoopModelGarbage(t *testing.T) {
	h, in := setup(t, calc, nil)
	h.Server.Respond = func(q fixtures.Question) (string, bool) { return "I think the bug is in Add.", true }
	out, err := Run(context.Background(), h.Env, in)
	if err == nil || out.Stop != StopModel || len(out.Remaining) != 1 || len(out.Remaining[0].Evidence) == 0 {
		t.Fatalf("err %v, stop %s, remaining %+v\n%s", err, out.Stop, out.Remaining, h.Log)
	}
	if r := out.Remediations[0]; r.Status != Invalid || !strings.Contains(r.Reason, "triage role failed") {
		t.Errorf("remediation %+v", r)
	}
}

// A spent budget ends the loop as budget, not as a model failure.
func TestLoopBudget(t *testing.T) {
	h, in := setup(t, calc2, answerBy(map[string]Answer{"TestAdd": noop, "TestMul": fixMul}))
	h.Env.LLM.Meter.Limits.Tokens = 1 // spent by the first call, refused at the next
	out, _ := Run(context.Background(), h.Env, in)
	if out.Stop != StopBudget || len(out.Remaining) != 2 {
		t.Fatalf("stop %s (%s)\n%s", out.Stop, out.StopDetail, h.Log)
	}
}

// The model asks to see code it was not shown; the loop shows it and asks
// again instead of ending on needs_human.
func TestLoopFollowUp(t *testing.T) {
	n := 0
	h, in := setup(t, calc, func(q fixtures.Question) (Answer, bool) {
		n++
		if !strings.Contains(q.User, "You asked to see") {
			return Answer{Class: "assertion_failure", RootCause: "need Add's helper", Confidence: 0.5, Need: []string{"Mul"}}, true
		}
		return fixAdd0(), true
	})
	in.PromptBytes = 1 // nothing but the evidence fits: the code must be asked for
	out, err := Run(context.Background(), h.Env, in)
	if err != nil || out.Stop != StopPassed || n != 2 || out.Remediations[0].Questions != 2 {
		t.Fatalf("err %v, stop %s, asked %d\n%s", err, out.Stop, n, h.Log)
	}
}

// A kept change that leads back to failures the tree had is stuck.
func TestDoneStuckOnACycle(t *testing.T) {
	l := &loop{out: &Output{}, seen: map[string]bool{sigSet([]triage.Failure{addFail}): true}, in: Input{MaxIterations: 3}, env: phasetestEnv(t)}
	if !l.done([]triage.Failure{addFail}, true) || l.out.Stop != StopStuck {
		t.Errorf("stop %q", l.out.Stop)
	}
	l.out.Stop = ""
	if l.done([]triage.Failure{addFail}, false) {
		t.Errorf("a failure set after a revert is not a cycle: %q", l.out.Stop)
	}
}

func phasetestEnv(t *testing.T) phase.Env { return phasetest.Bare(t, "test").Env }

// A change reverted on one tree is tried again once another change was
// kept: what it was judged against has changed. Here the model gets it
// right the second time, shown what it tried before.
func TestLoopRetriesAfterAKeptChange(t *testing.T) {
	asked := 0
	h, in := setup(t, calc2, func(q fixtures.Question) (Answer, bool) {
		if strings.Contains(q.User, "Failure 1: TestMul") {
			return fixMul, true
		}
		asked++
		if asked == 1 {
			return noop, true
		}
		if !strings.Contains(q.User, "Already tried in this run (change 1, reverted") {
			t.Errorf("the second question does not say what was tried:\n%s", q.User)
		}
		return fixAdd0(), true
	})
	out, err := Run(context.Background(), h.Env, in)
	var statuses []string
	for _, r := range out.Remediations {
		statuses = append(statuses, r.Status)
	}
	if err != nil || out.Stop != StopPassed || strings.Join(statuses, ",") != "reverted,applied,applied" {
		t.Fatalf("err %v, stop %s, statuses %v\n%s", err, out.Stop, statuses, h.Log)
	}
}

// Offline, a failure no triage answer was recorded for (the code was
// edited by hand since) is reported with its class and evidence; nothing
// is remediated, and the phase fails because the test fails.
func TestLoopOfflineWithoutARecordedAnswer(t *testing.T) {
	h, in := setup(t, calc, nil)
	cfg := phasetest.Config(t)
	lc := cfg.LLM
	lc.Mode, lc.CacheDir = llm.ModeReplay, t.TempDir()
	router := roles.New(lc, h.Workdir, redact.New(), http.DefaultClient, func(string) string { return "" }, time.Now)
	h.Env.LLM = &llm.Session{Roles: router, Art: h.Env.Art, Phase: "test", Meter: router.PhaseMeter("test")}
	out, err := Run(context.Background(), h.Env, in)
	if err == nil || out.Stop != StopNoAnswer || len(out.Remaining) != 1 {
		t.Fatalf("err %v, stop %s (%s), remaining %+v\n%s", err, out.Stop, out.StopDetail, out.Remaining, h.Log)
	}
	f := out.Remaining[0]
	if failure.ClassOf(err) != f.Class || f.Class != failure.AssertionFailure || len(f.Evidence) == 0 {
		t.Errorf("the phase fails with %s; the failure is %s with evidence %q", failure.ClassOf(err), f.Class, f.Evidence)
	}
	if !strings.Contains(err.Error(), f.Message) {
		t.Errorf("the phase's error does not carry the assertion %q: %v", f.Message, err)
	}
	if len(out.Remediations) != 0 {
		t.Errorf("remediations recorded without an answer: %+v", out.Remediations)
	}
	if h.Server.Requests() != 0 {
		t.Errorf("offline asked a model")
	}
}
