package lint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// The test binary serves as the vet tool, as the orchestrate binary does,
// so the phase's tests run the cached path. A test that wants the
// in-process path asks for it.
func TestMain(m *testing.M) {
	ServeVetTool()
	if os.Getenv("LINT_BENCH_INPROCESS") != "" {
		serves = false
	}
	os.Exit(m.Run())
}

func vetEnv() []string { return append(os.Environ(), gotool.Pinned...) }

// The cached path (go vet with this binary as its vet tool) finds what the
// in-process analysis finds, with the same fixes, on every planted-fault
// fixture in a state that type-checks: the planted module once goimports
// and gofmt have run, the facts module (a printf wrapper across packages,
// in-package and external tests), the lint script's shadow.go on the
// reference service, and the pass test's module.
func TestVetFindsWhatInProcessFinds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet and the analyzers in-process")
	}
	cases := []struct {
		name, dir string
		want      []string // analyzers that must be among the findings
		setup     func(t *testing.T, wd string)
	}{
		{"planted", "svc", []string{"any", "S1003", "assign", "printf", "ST1005"}, func(t *testing.T, wd string) {
			plant(t, wd, "planted.txtar")
			prefix(t, wd, "svc")
		}},
		{"facts", "svc", []string{"printf", "S1003", "any", "ST1005", "assign"}, func(t *testing.T, wd string) { plant(t, wd, "facts.txtar") }},
		{"shadow", "service", []string{"ST1005"}, func(t *testing.T, wd string) {
			copyDir(t, filepath.Join(phasetest.Root(), "service"), filepath.Join(wd, "service"))
			src := "package main\n\nimport \"errors\"\n\nfunc checkInput(s string) error {\n\tif s == \"\" {\n\t\treturn errors.New(\"Empty input\")\n\t}\n\treturn nil\n}\n"
			writeFile(t, filepath.Join(wd, "service", "shadow.go"), src)
		}},
		{"pass", "svc", []string{"assign", "printf"}, func(t *testing.T, wd string) {
			writeFile(t, filepath.Join(wd, "svc", "go.mod"), "module example.com/m\n\ngo 1.24\n")
			writeFile(t, filepath.Join(wd, "svc", "main.go"), "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 1\n\tx = x\n\tfmt.Printf(\"%d\\n\", \"hello\")\n\tfmt.Println(x)\n}\n")
		}},
	}
	suite, err := NewSuite(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wd := t.TempDir()
			c.setup(t, wd)
			dir := filepath.Join(wd, c.dir)
			ctx := context.Background()
			cached, err := suite.vetAnalyze(ctx, dir, wd, vetEnv())
			if err != nil {
				t.Fatalf("go vet: %v", err)
			}
			inproc, err := suite.AnalyzeInProcess(ctx, dir, wd, vetEnv())
			if err != nil {
				t.Fatal(err)
			}
			if len(inproc.Broken) != 0 || len(cached.Broken) != 0 {
				t.Fatalf("the fixture does not type-check: %v", inproc.Broken)
			}
			got, want := describe(cached.Findings), describe(inproc.Findings)
			if got != want {
				t.Errorf("go vet found\n%s\nin-process found\n%s", got, want)
			}
			for _, a := range c.want {
				if !strings.Contains(want, "("+a+")") {
					t.Errorf("no %s finding planted:\n%s", a, want)
				}
			}
			t.Logf("%d findings:\n%s", len(cached.Findings), got)
		})
	}
}

// A module that does not type-check is not go vet's: the phase analyses
// it in-process, which places the compiler's errors and still runs the
// analyzers that run despite them.
func TestVetLeavesBrokenModulesInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	wd := t.TempDir()
	plant(t, wd, "planted.txtar")
	suite, err := NewSuite(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(wd, "svc")
	if _, err := suite.vetAnalyze(context.Background(), dir, wd, vetEnv()); !errors.Is(err, errNoVet) {
		t.Fatalf("go vet on a module that does not type-check: %v", err)
	}
	a, err := suite.Analyze(context.Background(), dir, wd, vetEnv())
	if err != nil || len(a.Broken) == 0 {
		t.Fatalf("analysis of the broken module: %v, broken %v", err, a.Broken)
	}
}

// prefix applies what the prepass finds (goimports, gofmt) so that the
// module type-checks.
func prefix(t *testing.T, wd, mod string) {
	t.Helper()
	pre, err := prepass(filepath.Join(wd, mod), wd)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pre {
		if f.Source == "goimports" {
			writeFile(t, f.abs, string(f.edits[0].edits[0].text))
		}
	}
}

// describe lists findings with everything the phase uses of them: place,
// analyzer, group, message, and the fix's edits.
func describe(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s (%s) [%s] fixable=%v abs=%s", f, f.Analyzer, f.Source, f.Fixable, f.abs)
		for _, fe := range f.edits {
			for _, e := range fe.edits {
				fmt.Fprintf(&b, " edit %s %d-%d %q", fe.abs, e.start, e.end, e.text)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The whole phase on the planted module comes out the same through go vet
// as in-process: the same fixes in the same order with the same verdicts,
// patches and counts, the same findings before and after, the same code.
func TestPhaseSameThroughVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the phase twice, once with every analysis in-process")
	}
	inproc, vet := plantedPhase(t, false), plantedPhase(t, true)
	if inproc != vet {
		t.Errorf("in-process:\n%s\nthrough go vet:\n%s", inproc, vet)
	}
	if !strings.Contains(vet, "deterministic assign") || !strings.Contains(vet, "model ") {
		t.Errorf("the planted module's fixes are missing:\n%s", vet)
	}
}

// plantedPhase runs the phase on the planted module, through go vet or
// in-process, and describes what came of it.
func plantedPhase(t *testing.T, throughVet bool) string {
	if throughVet && !serves {
		t.Fatal("the test binary does not serve as the vet tool")
	}
	defer func(s bool) { serves = s }(serves)
	serves = throughVet
	vetted := vetAnalysed.Load()
	defer func() {
		if n := vetAnalysed.Load() - vetted; throughVet != (n > 0) {
			t.Errorf("through go vet %v, yet go vet analysed the module %d time(s)", throughVet, n)
		}
	}()
	h := phasetest.New(t, "lint", phasetest.Config(t), nil)
	h.Server.Respond = fixer
	plant(t, h.Workdir, "planted.txtar")
	in := Input{Workdir: h.Workdir, Modules: []Module{{Dir: "svc", Fix: true}}, MaxModel: 5, Golangci: "off", MaxPasses: config.Default().Phases.Lint.MaxPasses,
		Policy: change.Policy{MaxLines: 80}, FixesFile: "FIXES.md"}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("lint: %v\n%s", err, h.Log)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "before %+v after %+v\n", out.Before, out.After)
	for _, f := range append(append([]Fix(nil), out.Fixes...), out.Rejected...) {
		fmt.Fprintf(&b, "fix %d %s %s %s %s %q %v\n", f.N, f.Kind, f.Fixer, f.Status, f.Finding, f.Reason, f.Counts)
		if f.Patch != "" {
			b.WriteString(h.Read(t, f.Patch))
		}
	}
	for _, f := range out.Remaining {
		fmt.Fprintf(&b, "remaining %s\n", f)
	}
	b.WriteString(h.Read(t, out.Evidence.FindingsBefore))
	b.WriteString(h.Read(t, out.Evidence.FindingsAfter))
	b.WriteString(read(t, h.Workdir, "svc/main.go"))
	return b.String()
}
