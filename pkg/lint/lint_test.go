package lint

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// plant writes a txtar archive's files into dir.
func plant(t *testing.T, dir, archive string) {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", archive))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyDir copies a tree.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// fixer is a stand-in for the fixer role that answers what it is shown:
// a good fix for the printf mismatch in main.go (with the excerpt's
// line-number gutter copied into it), a fix that breaks the
// build for the error string, and an edit to the test's assertion.
func fixer(q fixtures.Question) (string, bool) {
	if q.Prompt != "lint.fix" {
		return "", false
	}
	var a FixAnswer
	switch {
	case strings.Contains(q.User, "in svc/main_test.go"):
		a = FixAnswer{Reason: "the verb is wrong", Safe: "message only",
			Edits: []FixEdit{{Path: "svc/main_test.go", Old: `if got := find("abc", "b"); !got {
		t.Errorf("find: got %d, want true", got)`, New: `if got := find("abc", "b"); got || !got {
		t.Errorf("find: got %v, want true", got)`}}}
	case strings.Contains(q.User, "error strings should not be capitalized"):
		a = FixAnswer{Reason: "lower-case the message", Safe: "message only",
			Edits: []FixEdit{{Path: "svc/main.go", Old: `errors.New("Negative input")`, New: `errors.New(negativeInput)`}}}
	case strings.Contains(q.User, "Printf format %d has arg"):
		a = FixAnswer{Reason: "%d prints a string", Safe: "the same text is printed with the right verb",
			// It copies the excerpt's line-number gutter, as small models do.
			Edits: []FixEdit{{Path: "svc/main.go", Old: "26| \tfmt.Printf(\"%d\\n\", \"hello\")", New: "26| \tfmt.Printf(\"%s\\n\", \"hello\")"}}}
	default:
		a = FixAnswer{Reason: "not sure", NeedsHuman: true}
	}
	b, _ := json.Marshal(a)
	return string(b), true
}

func TestPlantedModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the analyzers many times")
	}
	h := phasetest.New(t, "lint", phasetest.Config(t, Settings), nil)
	h.Server.Respond = fixer
	plant(t, h.Workdir, "planted.txtar")
	pristine := t.TempDir()
	copyDir(t, h.Workdir, pristine)

	in := Input{Workdir: h.Workdir, Modules: []Module{{Dir: "svc", Fix: true}}, MaxModel: 5, Golangci: "off", MaxPasses: Settings.Default.(Config).MaxPasses,
		Policy: change.Policy{MaxLines: 80}, FixesFile: "FIXES.md"}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("lint: %v\n%s", err, h.Log)
	}
	t.Logf("log:\n%s", h.Log)
	for _, f := range out.Fixes {
		t.Logf("fix %d %s %s %s", f.N, f.Kind, f.Fixer, f.Finding)
	}

	// The deterministic pass fixed what has a known fix.
	fixed := map[string]string{}
	for _, f := range out.Fixes {
		fixed[f.Finding.Analyzer] = f.Kind
	}
	for _, a := range []string{"goimports", "any", "S1003", "assign"} {
		if fixed[a] != "deterministic" {
			t.Errorf("no deterministic %s fix; applied: %v", a, fixed)
		}
	}
	// The model fixed the printf mismatch, which no analyzer can.
	if fixed["printf"] != "model" && fixed["SA5009"] != "model" {
		t.Errorf("the printf mismatch was not fixed by the model; applied: %v", fixed)
	}
	// The model's fix that breaks the build was reverted; its edit to an
	// assertion was refused.
	status := map[string]Fix{}
	for _, f := range out.Rejected {
		status[f.Finding.File+" "+f.Finding.Analyzer] = f
	}
	if f := status["svc/main.go ST1005"]; f.Status != Reverted || !strings.Contains(f.Reason, "breaks the build") {
		t.Errorf("the build-breaking fix: %+v", f)
	}
	if f := status["svc/main_test.go printf"]; f.Status != Refused || !strings.Contains(f.Reason, "assertion") {
		t.Errorf("the assertion edit: %+v", f)
	}

	src := read(t, h.Workdir, "svc/main.go")
	for _, want := range []string{`"strings"`, "strings.Contains(s, sub)", "V any", `fmt.Printf("%s\n", "hello")`, `errors.New("Negative input")`} {
		if !strings.Contains(src, want) {
			t.Errorf("main.go lacks %s:\n%s", want, src)
		}
	}
	for _, gone := range []string{`"os"`, "x = x", "   x := 1"} {
		if strings.Contains(src, gone) {
			t.Errorf("main.go still has %q", gone)
		}
	}
	if got := read(t, h.Workdir, "svc/main_test.go"); got != read(t, pristine, "svc/main_test.go") {
		t.Errorf("the test file changed:\n%s", got)
	}
	if out.After.Broken != 0 || out.Before.Broken == 0 {
		t.Errorf("type errors: before %d, after %d", out.Before.Broken, out.After.Broken)
	}
	remaining := map[string]bool{}
	for _, f := range out.Remaining {
		remaining[f.Analyzer] = true
	}
	if !remaining["ST1005"] || !remaining["printf"] || len(out.Remaining) != 2 {
		t.Errorf("remaining: %v", out.Remaining)
	}
	if !out.Modules[0].Build.OK {
		t.Errorf("build check failed: %s", h.Read(t, out.Modules[0].Build.Log))
	}

	// Every diff applies with git apply to the state it was made from:
	// replay all of them, in order, on the pristine tree.
	all := append(append([]Fix(nil), out.Fixes...), out.Rejected...)
	sort.Slice(all, func(i, j int) bool { return all[i].N < all[j].N })
	replay := t.TempDir()
	copyDir(t, pristine, replay)
	for _, f := range all {
		if f.Patch == "" {
			continue
		}
		p := filepath.Join(h.Run.Dir, f.Patch)
		gitApply(t, replay, p, true)
		if f.Status == Applied {
			gitApply(t, replay, p, false)
		}
	}
	if got := read(t, replay, "svc/main.go"); got != src {
		t.Errorf("replaying the applied patches gives\n%s\nwant\n%s", got, src)
	}
	combined := t.TempDir()
	copyDir(t, pristine, combined)
	gitApply(t, combined, filepath.Join(h.Run.Dir, out.Evidence.Patch), false)
	if got := read(t, combined, "svc/main.go"); got != src {
		t.Errorf("the combined patch gives\n%s", got)
	}

	// Evidence: findings before and after, FIXES.md with an entry per fix.
	var before []Finding
	if err := json.Unmarshal([]byte(h.Read(t, out.Evidence.FindingsBefore)), &before); err != nil || len(before) < 4 {
		t.Errorf("findings-before.json: %v, %d findings", err, len(before))
	}
	fx := read(t, h.Workdir, "FIXES.md")
	if n := strings.Count(fx, "\n### "); n != len(out.Fixes) {
		t.Errorf("FIXES.md has %d entries for %d fixes:\n%s", n, len(out.Fixes), fx)
	}
}

func read(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gitApply(t *testing.T, dir, patch string, check bool) {
	t.Helper()
	args := []string{"apply"}
	if check {
		args = append(args, "--check")
	}
	cmd := exec.Command("git", append(args, patch)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b, _ := os.ReadFile(patch)
		t.Fatalf("git %s %s: %v\n%s\n%s", strings.Join(args, " "), filepath.Base(patch), err, out, b)
	}
}

func newBare(t *testing.T) *phasetest.Harness { return phasetest.Bare(t, "lint") }

func TestBuildFailureNamesTheFirstBrokenModule(t *testing.T) {
	if err := buildFailure([]ModuleResult{{Dir: "a", Build: Check{OK: true}}}); err != nil {
		t.Errorf("every module builds: %v", err)
	}
	err := buildFailure([]ModuleResult{{Dir: "a", Build: Check{OK: true}}, {Dir: "b", Build: Check{Log: "logs/b.txt"}}, {Dir: "c", Build: Check{Log: "logs/c.txt"}}})
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Class != failure.CompileError || fe.Where != "logs/b.txt" || !strings.HasPrefix(fe.Message, "b no longer builds") {
		t.Errorf("err = %#v", err)
	}
}
