package mutation

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// tiny copies testdata/tiny (a grading service, its unit tests with one
// flaky test, its acceptance tests) into a fresh workdir.
func tiny(t *testing.T) (string, Input) {
	t.Helper()
	wd := t.TempDir()
	if err := os.CopyFS(wd, os.DirFS("testdata/tiny")); err != nil {
		t.Fatal(err)
	}
	in := Input{Spec: spec.Service{Name: "tiny", Dir: "service", TestsDir: "tests"}, Workdir: wd,
		Settings: Config{MaxMutants: 40, Budget: 2 * time.Minute, Workers: 2},
		Go:       gotool.Go{Extra: []string{"TINY_FLAKY=" + filepath.Join(wd, "flaky-marker")}}}
	return wd, in
}

// tinyVerdicts are what the tiny service's tests make of its mutants.
var tinyVerdicts = map[string]string{
	"boundary@service/grade.go:5:11": Survived,   // score >= 90: no test at 90
	"boundary@service/grade.go:8:11": Survived,   // score >= 50: no test at 50
	"negate@service/grade.go:5:5":    Killed,     // the unit test sees it
	"status@service/main.go:29:17":   Killed,     // only the acceptance tests see it
	"boundary@service/grade.go:16:7": NotCovered, // bonus runs in no test
	"arith@service/grade.go:16:9":    Equivalent, // listed as equivalent in TestRunScoresTheTinyServiceAndKillsSurvivors
}

func byID(out Output) map[string]Mutant {
	m := map[string]Mutant{}
	for _, x := range out.Mutants {
		m[x.ID] = x
	}
	return m
}

// answer is a hand-written testgen answer (a fixture for this test, not
// a model's): one file.
func answer(path, content string) string {
	b, _ := json.Marshal(llm.FilesAnswer{Files: []llm.AnswerFile{{Path: path, Content: content}}, Notes: "fixture"})
	return string(b)
}

const (
	killsAt90       = "package main\n\nimport \"testing\"\n\nfunc TestGradeAt90(t *testing.T) {\n\tif g := grade(90); g != \"A\" {\n\t\tt.Fatalf(\"grade(90) = %q\", g)\n\t}\n}\n"
	failsOnOriginal = "package main\n\nimport \"testing\"\n\nfunc TestGradeAt50(t *testing.T) {\n\tif g := grade(50); g != \"fail\" {\n\t\tt.Fatalf(\"grade(50) = %q\", g)\n\t}\n}\n"
	passesOnMutant  = "package main\n\nimport \"testing\"\n\nfunc TestGradeAt99(t *testing.T) {\n\tif g := grade(99); g != \"A\" {\n\t\tt.Fatalf(\"grade(99) = %q\", g)\n\t}\n}\n"
)

// tinyAnswers answers the mutation.kill prompts for the tiny service's
// four survivors in ID order: a test that kills its mutant (and one
// more), an answer that edits the code plus a test that fails on the
// original, a test that passes on its mutant too, and one that does not
// compile.
func tinyAnswers(q fixtures.Question) (string, bool) {
	prompt := q.User
	switch {
	case strings.Contains(prompt, "mutant:   if score >= 91 {"):
		return answer("mutant_arith_5_test.go", killsAt90), true
	case strings.Contains(prompt, "mutant:   if score >= 51 {"):
		b, _ := json.Marshal(llm.FilesAnswer{Files: []llm.AnswerFile{{Path: "grade.go", Content: "package main\n"},
			{Path: "mutant_arith_8_test.go", Content: failsOnOriginal}}})
		return string(b), true
	case strings.Contains(prompt, "mutant:   if score > 90 {"):
		return answer("mutant_boundary_5_test.go", passesOnMutant), true
	case strings.Contains(prompt, "mutant:   if score > 50 {"):
		return answer("mutant_boundary_8_test.go", "package main\n\nimport \"testing\"\n\nfunc TestGradeAt50(t *testing.T) { undefinedHelper(t) }\n"), true
	}
	return "", false
}

// The real toolchain on a real service: the unit tests kill what they
// check, the acceptance tests kill what only they check (against the
// mutant's binary on a loopback port), the boundaries no test pins
// survive, the function no test runs is not covered, the equivalent
// mutant listed in the config counts in no score, and a test that fails
// on the original kills nothing. Then the survivors go to the testgen
// role: a test is kept only when it passes on the original and fails on
// its mutant, an answer that edits the code is refused, and the kept test
// is run against every survivor for the score after.
func TestRunScoresTheTinyServiceAndKillsSurvivors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on every mutant")
	}
	wd, in := tiny(t)
	in.Settings.Equivalent = []EquivalentMutant{{ID: "arith@service/grade.go:16:9", Reason: "a test fixture"}}
	in.Settings.Generate = 4
	h := phasetest.New(t, Name, phasetest.Config(t), nil)
	h.Server.Respond = tinyAnswers
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	if !strings.Contains(h.Log.String(), "each mutant the unit tests cover: one test binary") {
		t.Errorf("the mutants did not run through their test binary:\n%s", h.Log)
	}
	ms := byID(out)
	for id, status := range tinyVerdicts {
		if got := ms[id].Status; got != status {
			t.Errorf("%s: %s, want %s (%+v)", id, got, status, ms[id])
		}
	}
	if by := ms["status@service/main.go:29:17"].By; !slices.Contains(by, "e2e TestNotANumber") {
		t.Errorf("the status mutant was killed by %v, want the acceptance test", by)
	}
	if !slices.Contains(out.Unreliable, "unit TestFlaky") {
		t.Errorf("unreliable tests: %v", out.Unreliable)
	}
	for _, m := range out.Mutants {
		if slices.Contains(m.By, "unit TestFlaky") {
			t.Errorf("%s counted as killed by the flaky test", m.ID)
		}
		if m.Status == Survived && m.Patch == "" {
			t.Errorf("survivor %s has no diff", m.ID)
		}
	}
	c := out.Counts
	if out.Score == nil || *out.Score != float64(int64(float64(c.Killed)/float64(c.Killed+c.Survived)*10000+0.5))/10000 {
		t.Errorf("score %v for %+v", out.Score, c)
	}
	checkGuided(t, wd, out, h.Log.String())
}

func checkGuided(t *testing.T, wd string, out Output, log string) {
	t.Helper()
	g := out.Guided
	if g == nil || g.Asked != 4 || len(g.Kept) != 1 || len(g.Refused) != 1 || len(g.Rejected) != 3 {
		t.Fatalf("guided: %+v\n%s", g, log)
	}
	k := g.Kept[0]
	if k.File != "mutant_arith_5_test.go" || !slices.Equal(k.Kills, []string{"arith@service/grade.go:5:14", "boundary@service/grade.go:5:11"}) {
		t.Errorf("kept: %+v", k)
	}
	if g.Refused[0].Path != "grade.go" || !strings.Contains(g.Refused[0].Reason, "may not edit the service's code") {
		t.Errorf("refused: %+v", g.Refused)
	}
	reasons := map[string]string{}
	for _, r := range g.Rejected {
		reasons[r.File] = r.Reason
	}
	if reasons["mutant_arith_8_test.go"] != "fails_on_original" || reasons["mutant_boundary_5_test.go"] != "passes_on_mutant" ||
		reasons["mutant_boundary_8_test.go"] != "compile_error" {
		t.Errorf("rejected: %+v", g.Rejected)
	}
	if g.KilledAfter != 2 || *g.ScoreAfter <= *g.ScoreBefore {
		t.Errorf("score %v -> %v, %d killed after", *g.ScoreBefore, *g.ScoreAfter, g.KilledAfter)
	}
	if b, err := os.ReadFile(filepath.Join(wd, "service", "mutant_arith_5_test.go")); err != nil || string(b) != killsAt90 {
		t.Errorf("the kept test is not beside the code: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wd, "service", "grade.go")); err != nil {
		t.Error(err)
	}
}

// min_score fails the phase when the score is below it, naming the gate.
func TestGateFailsBelowMinScore(t *testing.T) {
	h := phasetest.Bare(t, Name)
	low := 0.5
	out := Output{Score: &low, MinScore: 0.8, Counts: Counts{Killed: 1, Survived: 1}}
	err := gate(h.Env, out)
	if err == nil || !strings.Contains(err.Error(), "phases.mutation.min_score 0.80") {
		t.Fatalf("gate: %v", err)
	}
	out.MinScore = 0
	if err := gate(h.Env, out); err != nil {
		t.Errorf("gate off: %v", err)
	}
	after := 0.9
	out.MinScore, out.Guided = 0.8, &Guided{ScoreAfter: &after}
	if err := gate(h.Env, out); err != nil {
		t.Errorf("the score after the new tests passes the gate: %v", err)
	}
}

func TestSkips(t *testing.T) {
	h := phasetest.Bare(t, Name)
	for _, in := range []Input{{}, {Settings: Config{MaxMutants: 3}, Inject: "status"}} {
		_, err := Run(context.Background(), h.Env, in)
		if _, ok := phase.IsSkip(err); !ok {
			t.Errorf("%+v: %v, want a skip", in, err)
		}
	}
}

// The sample is the same for the same seed, spread over the operators,
// and bounded.
func TestSampleIsStableAndSpread(t *testing.T) {
	wd, _ := tiny(t)
	s := Config{MaxMutants: 3, Seed: 1}
	a, n, err := sample(wd, "service", s)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := sample(wd, "service", s)
	if len(a) != 3 || n < 3 {
		t.Fatalf("sampled %d of %d", len(a), n)
	}
	ops := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Errorf("sample %d: %s then %s", i, a[i].ID, b[i].ID)
		}
		ops[a[i].Operator] = true
	}
	if len(ops) != 3 {
		t.Errorf("3 mutants from %d operators: %v", len(ops), ops)
	}
}

func TestReadCover(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.out")
	os.WriteFile(p, []byte("mode: set\nexample.com/x/a.go:3.10,5.2 1 1\nexample.com/x/a.go:7.1,9.2 1 0\nexample.com/x/sub/b.go:1.1,2.2 1 1\n"), 0o644)
	c, err := readCover(p, "example.com/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		line int
		want bool
	}{{"a.go", 4, true}, {"a.go", 8, false}, {"sub/b.go", 2, true}, {"a.go", 10, false}} {
		if got := c.covers(tc.file, tc.line); got != tc.want {
			t.Errorf("%s:%d covered %v, want %v", tc.file, tc.line, got, tc.want)
		}
	}
}

func TestShrinkKeepsWholeDeclarations(t *testing.T) {
	src := "package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n\nfunc TestB(t *testing.T) { t.Log(\"a long body\") }\n"
	got := shrink([]llm.AnswerFile{{Path: "a_test.go", Content: src}}, 60)[0].Content
	if !strings.Contains(got, "func TestA") || strings.Contains(got, "a long body") || !strings.Contains(got, "not shown: TestB") {
		t.Errorf("shrink:\n%s", got)
	}
}

// The mutation.kill prompt for the reference service, its whole handlers
// and its tests, stays within the 6144 tokens prompts/budget_test.go gives
// it (estimate: bytes/3 + 8 a message).
func TestKillPromptFitsItsBudget(t *testing.T) {
	cfg := phasetest.Config(t)
	svc := filepath.Join(phasetest.Root(), cfg.Service.Dir)
	code, err := os.ReadFile(filepath.Join(svc, "handlers.go"))
	if err != nil {
		t.Fatal(err)
	}
	tests, _ := os.ReadFile(filepath.Join(svc, "handlers_test.go"))
	m := Mutant{ID: "boundary@service/handlers.go:121:12", Operator: "boundary", File: "service/handlers.go", Line: 121, Func: "decodeEvent",
		Before: "if len(b) > maxBody {", After: "if len(b) >= maxBody {"}
	p, err := KillPrompt(cfg.Service, "1.24", m, "diff --git a/x b/x\n", code, []llm.AnswerFile{{Path: "handlers_test.go", Content: string(tests)}},
		[]string{"deployHandler", "registerRoutes"}, "mutant_boundary_121_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if got := (len(p.System)+len(p.User))/3 + 16; got > 6144 {
		t.Errorf("about %d tokens, over 6144", got)
	}
	if !strings.Contains(p.User, "not shown:") || !strings.Contains(p.System, `"path": "mutant_boundary_121_test.go"`) {
		t.Errorf("the prompt does not cut the tests or name the file:\n%s", p.User)
	}
}

// A mutant that does not compile is did_not_compile, in the unit tests'
// build and in the binary's, never killed: in the test binary that serves
// too, and in go test then go build.
func TestMutantThatDoesNotCompileIsNotKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain")
	}
	_, in := tiny(t)
	h := phasetest.Bare(t, Name)
	b, err := newBench(context.Background(), h.Env, in)
	if b != nil {
		defer b.close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if !b.serve {
		t.Fatalf("the tiny service's test binary cannot serve:\n%s", h.Log)
	}
	m := &Mutant{ID: "drop-import@service/main.go:11:2", Operator: "drop-import", File: "service/main.go", Line: 11, Before: `"strconv"`}
	dir := t.TempDir()
	ov, err := b.plant(h.Env, m, dir, map[string]string{filepath.Join(b.svc, serveFile): serveMain})
	if err != nil {
		t.Fatal(err)
	}
	check := func(how string, run func()) {
		t.Helper()
		m.Status, m.Detail, m.By = "", "", nil
		run()
		if m.Status != DidNotCompile || len(m.By) > 0 || !strings.Contains(m.Detail, "strconv") {
			t.Errorf("%s: %+v", how, m)
		}
	}
	check("test binary", func() { b.viaTestBinary(context.Background(), m, dir, ov, true) })
	check("go test", func() { b.unitRun(context.Background(), m, ov) })
	check("go build", func() { b.e2eRun(context.Background(), m, dir, ov) })
}

// A package with a TestMain of its own keeps it: the mutants run with go
// test, then go build for the acceptance tests, and the verdicts are the
// same as through the one test binary.
func TestRunWithItsOwnTestMain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on every mutant")
	}
	wd, in := tiny(t)
	own := "package main\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n"
	if err := os.WriteFile(filepath.Join(wd, "service", "main_test.go"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	h := phasetest.Bare(t, Name)
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	if !strings.Contains(h.Log.String(), "each mutant: go test, then go build") {
		t.Errorf("the mutants did not run with go test and go build:\n%s", h.Log)
	}
	for id, status := range tinyVerdicts {
		if got := byID(out)[id].Status; got != status && status != Equivalent {
			t.Errorf("%s: %s, want %s", id, got, status)
		}
	}
}

// A mutant's test binary serves only for a main package with unit tests,
// no TestMain of its own and no init function in its tests; a test file
// this phase wrote earlier is hidden and does not count.
func TestCanServe(t *testing.T) {
	const main = "package main\n\nfunc main() {}\n"
	const test = "package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"main with tests", map[string]string{"main.go": main, "a_test.go": test}, true},
		{"own TestMain", map[string]string{"main.go": main, "a_test.go": test, "m_test.go": "package main\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) { m.Run() }\n"}, false},
		{"own TestMain hidden", map[string]string{"main.go": main, "a_test.go": test, "mutant_x_test.go": "package main\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) { m.Run() }\n"}, true},
		{"init in a test", map[string]string{"main.go": main, "a_test.go": test + "\nfunc init() {}\n"}, false},
		{"init in the code", map[string]string{"main.go": main + "\nfunc init() {}\n", "a_test.go": test}, true},
		{"not main", map[string]string{"lib.go": "package lib\n\nfunc F() {}\n", "a_test.go": "package lib\n"}, false},
		{"no func main", map[string]string{"main.go": "package main\n\nfunc Main() {}\n", "a_test.go": test}, false},
	} {
		dir := t.TempDir()
		for name, src := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b := &bench{svc: dir, unit: true, own: map[string]bool{"mutant_x_test.go": true}}
		if got := b.canServe(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
