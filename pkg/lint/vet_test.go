package lint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// The test binary serves as the vet tool, as the orchestrate binary does,
// so the phase's tests run the cached path. A test that wants the
// in-process path asks for it.
func TestMain(m *testing.M) {
	logUnit()
	ServeVetTool()
	if os.Getenv("LINT_BENCH_INPROCESS") != "" {
		serves = false
	}
	os.Exit(m.Run())
}

func vetEnv() []string { return append(os.Environ(), gotool.Pinned...) }

// logUnit, in the vet tool, appends the package it is asked to analyse to
// the file LINT_TEST_VETLOG names, so a test can see what go vet did not
// take from its cache.
func logUnit() {
	log := os.Getenv("LINT_TEST_VETLOG")
	if _, ok := os.LookupEnv(vetToolEnv); !ok || log == "" || len(os.Args) < 2 || !strings.HasSuffix(os.Args[len(os.Args)-1], ".cfg") {
		return
	}
	b, err := os.ReadFile(os.Args[len(os.Args)-1])
	if err != nil {
		return
	}
	var cfg struct{ ID string }
	if json.Unmarshal(b, &cfg) != nil {
		return
	}
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, cfg.ID)
}

// go vet analyses a package again only when it or what it imports
// changed: a second analysis of an unchanged module runs the vet tool on
// nothing and finds the same; a change to one package reruns it and its
// importers, not the others.
func TestVetCachesPerPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	wd := t.TempDir()
	plant(t, wd, "facts.txtar")
	dir := filepath.Join(wd, "svc")
	log := filepath.Join(t.TempDir(), "units")
	env := append(vetEnv(), "LINT_TEST_VETLOG="+log)
	suite, err := NewSuite(nil)
	if err != nil {
		t.Fatal(err)
	}
	analyse := func() (Analysis, map[string]bool) {
		t.Helper()
		_ = os.Remove(log)
		a, err := suite.vetAnalyze(context.Background(), dir, wd, env)
		if err != nil {
			t.Fatal(err)
		}
		units := map[string]bool{}
		b, _ := os.ReadFile(log)
		for _, id := range strings.Fields(string(b)) {
			if strings.HasPrefix(id, "example.com/facts") {
				units[id] = true
			}
		}
		return a, units
	}
	first, units := analyse()
	if !units["example.com/facts/util"] || !units["example.com/facts/box"] {
		t.Fatalf("the first analysis ran the vet tool on %v", units)
	}
	again, units := analyse()
	if len(units) != 0 {
		t.Errorf("an unchanged module was analysed again: %v", units)
	}
	if describe(again.Findings) != describe(first.Findings) {
		t.Errorf("from the cache:\n%s\nfirst:\n%s", describe(again.Findings), describe(first.Findings))
	}
	box := filepath.Join(dir, "box", "box.go")
	src, err := os.ReadFile(box)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, box, string(src)+"\n// Empty reports whether the box holds nothing.\nfunc (b Box) Empty() bool { return b.V == nil }\n")
	_, units = analyse()
	if !units["example.com/facts/box"] || units["example.com/facts/util"] {
		t.Errorf("after a change to box, the vet tool ran on %v", units)
	}
}

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
	if !strings.Contains(a.InProcess, "undefined: strings") {
		t.Errorf("why in-process: %q", a.InProcess)
	}
	t.Log(a.InProcess)
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
	h := phasetest.New(t, "lint", phasetest.Config(t, Settings), nil)
	h.Server.Respond = fixer
	plant(t, h.Workdir, "planted.txtar")
	in := Input{Workdir: h.Workdir, Modules: []Module{{Dir: "svc", Fix: true}}, MaxModel: 5, Golangci: "off", MaxPasses: Settings.Default.(Config).MaxPasses,
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

// -V=full names the tool for go vet's cache: the same for the same
// checks, another for other checks; a broken check list is refused.
func TestVetToolID(t *testing.T) {
	id := func(checks string) string {
		t.Helper()
		var out, errb strings.Builder
		if code := vetTool(checks, []string{"-V=full"}, &out, &errb); code != 0 {
			t.Fatalf("-V=full with %s: exit %d: %s", checks, code, errb.String())
		}
		f := strings.Fields(out.String())
		if len(f) < 4 || f[1] != "version" || f[2] != "devel" || !strings.HasPrefix(f[len(f)-1], "buildID=") {
			t.Fatalf("-V=full printed %q, which go vet cannot parse", out.String())
		}
		return f[len(f)-1]
	}
	if a, b := id("null"), id("null"); a != b {
		t.Errorf("the default checks have two IDs: %s, %s", a, b)
	}
	if a, b := id("null"), id(`["vet"]`); a == b {
		t.Errorf("different checks share the ID %s", a)
	}
	var errb strings.Builder
	if code := vetTool(`["nosuchcheck"]`, []string{"-V=full"}, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "nosuchcheck") {
		t.Errorf("an unknown check: exit %d, %q", code, errb.String())
	}
	if code := vetTool(`vet`, []string{"-V=full"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("checks that are not JSON: exit %d", code)
	}
}

// A main-module package go vet asks only for facts is analysed whole; a
// dependency from the module cache or the standard library runs only the
// analyzers that export facts.
func TestWholeUnit(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, cfg string
		whole     bool // rewritten to VetxOnly false
		factsOnly bool
	}{
		{"root", `{"ID":"example.com/m","ModulePath":"example.com/m"}`, false, false},
		{"main-module dependency", `{"ID":"example.com/m/a","ModulePath":"example.com/m","VetxOnly":true}`, true, false},
		{"module dependency", `{"ID":"example.com/dep","ModulePath":"example.com/dep","ModuleVersion":"v1.2.3","VetxOnly":true}`, false, true},
		{"standard library", `{"ID":"fmt","VetxOnly":true}`, false, true},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".cfg")
		writeFile(t, p, c.cfg)
		got, factsOnly, err := wholeUnit(p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if factsOnly != c.factsOnly || (got != p) != c.whole {
			t.Errorf("%s: %s, facts only %v", c.name, got, factsOnly)
		}
		if c.whole {
			var m map[string]any
			if err := json.Unmarshal([]byte(read(t, filepath.Dir(got), filepath.Base(got))), &m); err != nil || m["VetxOnly"] != false || m["ID"] != "example.com/m/a" {
				t.Errorf("%s: rewritten to %v (%v)", c.name, m, err)
			}
		}
	}
	suite, err := NewSuite(nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, a := range factful(suite.analyzers) {
		if len(a.FactTypes) == 0 {
			t.Errorf("%s exports no facts", a.Name)
		}
		names[a.Name] = true
	}
	if !names["printf"] || names["SA1019"] || len(names) == 0 {
		t.Errorf("analyzers for facts: %v", names)
	}
}
