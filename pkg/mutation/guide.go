package mutation

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/mutate"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// guide sends survivors, up to phases.mutation.generate, to the testgen
// role one at a time, keeps each test that passes on the original and
// fails on its mutant, then runs the kept tests against every survivor.
func guide(ctx context.Context, env phase.Env, b *bench, in Input, out *Output) error {
	if env.LLM == nil {
		return failure.New(failure.ConfigError, "mutation-guided tests need the %s role: configure llm.roles.%s, or set phases.mutation.generate: 0", Role, Role)
	}
	g := &Guided{ScoreBefore: out.Score}
	out.Guided = g
	var survivors []*Mutant
	for i := range out.Mutants {
		if out.Mutants[i].Status == Survived {
			survivors = append(survivors, &out.Mutants[i])
		}
	}
	kept := map[string]string{} // path in the service directory to content
	for _, m := range survivors {
		if g.Asked >= in.Settings.Generate {
			break
		}
		g.Asked++
		err := b.kill(ctx, env, m, kept, g)
		if errors.Is(err, llm.ErrNoRecordedAnswer) {
			// Offline after the code changed by hand: the score stands, the
			// tests are not generated; the run is not failed for it.
			g.Asked--
			g.NotGenerated = "not generated: no recorded answer for the edited code (" + m.ID + ")"
			fmt.Fprintf(env.Log, "%s\n", g.NotGenerated)
			break
		}
		if err != nil {
			return err
		}
	}
	if len(kept) == 0 {
		g.ScoreAfter = g.ScoreBefore
		return nil
	}
	if err := b.rescore(ctx, env, survivors, kept, out); err != nil {
		return err
	}
	return b.writeKept(env, kept, g)
}

// kill asks for one test that kills m and validates it by running it.
func (b *bench) kill(ctx context.Context, env phase.Env, m *Mutant, kept map[string]string, g *Guided) error {
	path := b.newTestPath(m, kept)
	tests, names := b.existingTests()
	for p, c := range kept {
		ns, _ := gosrc.Names(p, []byte(c))
		names = append(names, ns...)
	}
	sort.Strings(names)
	diff := ""
	if set, err := mutate.Mutate(b.in.Workdir, site(m)); err == nil {
		diff, _ = set.Patch()
	}
	code, err := os.ReadFile(filepath.Join(b.in.Workdir, filepath.FromSlash(m.File)))
	if err != nil {
		return err
	}
	p, err := KillPrompt(b.in.Spec, goDirective(b.svc), *m, diff, code, tests, names, path)
	if err != nil {
		return err
	}
	rep, err := llm.AskFor[llm.FilesAnswer](ctx, env.LLM, llm.Ask{Role: Role, Prompt: p, Schema: llm.FilesSchema, SchemaName: "files"})
	if err != nil {
		return err
	}
	answer := rep.Exchange.ResponseFile()
	for _, f := range rep.Answer.Files {
		if why := b.refuse(f.Path, path); why != "" {
			g.Refused = append(g.Refused, workspace.Refusal{Path: f.Path, Reason: why, Answer: answer})
			fmt.Fprintf(env.Log, "refused %q from %s: %s\n", f.Path, answer, why)
			_ = env.Art.Event("decision", map[string]any{"decision": "refuse-file", "path": f.Path, "reason": why, "answer": answer})
			continue
		}
		rej, err := b.validate(ctx, env, m, f, kept)
		if err != nil {
			return err
		}
		if rej != nil {
			g.Rejected = append(g.Rejected, *rej)
			fmt.Fprintf(env.Log, "not kept %s (for %s): %s\n", f.Path, m.ID, rej.Reason)
			continue
		}
		kept[f.Path] = f.Content
		g.Kept = append(g.Kept, Kept{File: f.Path, Tests: testNames(f.Content), Target: m.ID})
		fmt.Fprintf(env.Log, "kept %s: passes twice on the original, fails on %s\n", f.Path, m.ID)
	}
	return nil
}

// refuse says why a file of an answer is not used, or "".
func (b *bench) refuse(p, want string) string {
	if err := workspace.CheckPath(p); err != nil {
		return err.Error()
	}
	switch {
	case !strings.HasSuffix(p, "_test.go"):
		return "not a test file: an answer may not edit the service's code"
	case strings.Contains(p, "/"):
		return "unit tests sit beside the code, in the service's one flat package"
	case p != want:
		if _, err := os.Stat(filepath.Join(b.svc, p)); err == nil && !b.own[p] {
			return "an existing test file: the answer may add a test, not change the tests there are"
		}
		return "not the file asked for (" + want + ")"
	}
	return ""
}

// validate runs a new test file: twice on the original, where it must
// pass, and once on its mutant, where it must fail.
func (b *bench) validate(ctx context.Context, env phase.Env, m *Mutant, f llm.AnswerFile, kept map[string]string) (*Rejected, error) {
	names := testNames(f.Content)
	rej := &Rejected{File: f.Path, Target: m.ID}
	_, _ = env.Art.Write("generated/"+f.Path, []byte(f.Content))
	if len(names) == 0 {
		rej.Reason = "no_tests"
		return rej, nil
	}
	files := b.absFiles(kept)
	files[filepath.Join(b.svc, f.Path)] = f.Content
	orig, err := b.runTests(ctx, nil, files, names, 2)
	if err != nil {
		return nil, err
	}
	log := func(name, text string) string {
		_, _ = env.Art.Write("logs/"+name, []byte(text))
		return env.Art.Rel("logs/" + name)
	}
	switch {
	case orig.buildFailed:
		rej.Reason, rej.Output = string(failure.CompileError), log("compile-"+f.Path+".txt", orig.output)
		return rej, nil
	case len(orig.failed) > 0 && len(orig.passed) > 0:
		rej.Reason, rej.Output = "flaky_on_original", log("original-"+f.Path+".txt", orig.output)
		return rej, nil
	case len(orig.failed) > 0 || !orig.ok:
		rej.Reason, rej.Output = "fails_on_original", log("original-"+f.Path+".txt", orig.output)
		return rej, nil
	}
	mut, err := b.runTests(ctx, m, files, names, 1)
	if err != nil {
		return nil, err
	}
	if len(mut.failed) == 0 {
		rej.Reason, rej.Output = "passes_on_mutant", log("mutant-"+f.Path+".txt", mut.output)
		return rej, nil
	}
	return nil, nil
}

// rescore runs the kept tests against every survivor: a survivor one of
// them fails on is killed by it.
func (b *bench) rescore(ctx context.Context, env phase.Env, survivors []*Mutant, kept map[string]string, out *Output) error {
	g := out.Guided
	var all []string
	owner := map[string]int{}
	for i, k := range g.Kept {
		for _, t := range k.Tests {
			all = append(all, t)
			owner[t] = i
		}
	}
	files := b.absFiles(kept)
	for _, m := range survivors {
		r, err := b.runTests(ctx, m, files, all, 1)
		if err != nil {
			return err
		}
		if len(r.failed) == 0 {
			continue
		}
		g.KilledAfter++
		for _, t := range r.failed {
			k := &g.Kept[owner[t]]
			if len(k.Kills) == 0 || k.Kills[len(k.Kills)-1] != m.ID {
				k.Kills = append(k.Kills, m.ID)
			}
			m.By = append(m.By, "new unit "+t)
		}
	}
	c := out.Counts
	c.Killed, c.Survived = c.Killed+g.KilledAfter, c.Survived-g.KilledAfter
	g.ScoreAfter = c.score()
	fmt.Fprintf(env.Log, "mutation-guided tests: %d kept, %d of %d survivors now killed; score %s -> %s\n",
		len(g.Kept), g.KilledAfter, len(survivors), pct(g.ScoreBefore), pct(g.ScoreAfter))
	return nil
}

// writeKept writes the kept tests beside the code, owned by this phase.
func (b *bench) writeKept(env phase.Env, kept map[string]string, g *Guided) error {
	var files []workspace.File
	for _, k := range g.Kept {
		files = append(files, workspace.File{Path: k.File, Content: []byte(kept[k.File]), Source: "model: mutation.kill for " + k.Target})
	}
	dir := workspace.Dir{Workdir: b.in.Workdir, Rel: b.in.Spec.Dir, Phase: Name}
	res, err := dir.Write(files)
	if err != nil {
		return fmt.Errorf("mutation: write the kept tests: %w", err)
	}
	g.Files = res.Changes
	if res.Patch != "" {
		if _, err := env.Art.Write("diffs/01-mutation-tests.patch", []byte(res.Patch)); err == nil {
			g.Patch = env.Art.Rel("diffs/01-mutation-tests.patch")
		}
	}
	return nil
}

func (b *bench) absFiles(kept map[string]string) map[string]string {
	out := map[string]string{}
	for p, c := range kept {
		out[filepath.Join(b.svc, p)] = c
	}
	return out
}

// testRun is one run of chosen unit tests.
type testRun struct {
	ok, buildFailed bool
	passed, failed  []string
	output          string
}

// runTests runs the named tests count times with files added, on the
// original (m nil) or on m.
func (b *bench) runTests(ctx context.Context, m *Mutant, files map[string]string, names []string, count int) (testRun, error) {
	dir, err := os.MkdirTemp(b.tmp, "t-*")
	if err != nil {
		return testRun{}, err
	}
	defer os.RemoveAll(dir)
	var ov string
	if m == nil {
		ov, err = b.overlayFiles(dir, files)
	} else {
		ov, err = b.plant(phase.Env{}, m, dir, files)
	}
	if err != nil {
		return testRun{}, err
	}
	run := "^(" + strings.Join(quoteAll(names), "|") + ")$"
	r, err := b.quiet.Run(ctx, b.svc, "test", "-overlay", ov, "-vet=off", fmt.Sprintf("-count=%d", count), "-json", "-timeout", "2m", "-run", run, ".")
	if err != nil {
		return testRun{}, err
	}
	rep := gotool.ParseTestJSON([]byte(r.Output))
	tr := testRun{ok: r.OK(), output: gotool.Relative(r.Output, b.svc),
		buildFailed: strings.Contains(rep.Output, "[build failed]") || strings.Contains(rep.Output, "[setup failed]")}
	for _, t := range rep.Top() {
		if t.Action == "pass" {
			tr.passed = append(tr.passed, t.Test)
		} else if t.Action == "fail" {
			tr.failed = append(tr.failed, t.Test)
		}
	}
	return tr, nil
}

func (b *bench) overlayFiles(dir string, files map[string]string) (string, error) {
	over := map[string]string{}
	for abs, content := range files {
		p := filepath.Join(dir, "extra-"+filepath.Base(abs))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
		over[abs] = p
	}
	return b.overlay(dir, over)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = regexp.QuoteMeta(n)
	}
	return out
}

// testNames are a file's top-level Test functions.
func testNames(src string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "x_test.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Test") {
			out = append(out, fd.Name.Name)
		}
	}
	return out
}

// newTestPath is the file a survivor's test goes in.
func (b *bench) newTestPath(m *Mutant, kept map[string]string) string {
	base := fmt.Sprintf("mutant_%s_%d", strings.ReplaceAll(m.Operator, "-", "_"), m.Line)
	p := base + "_test.go"
	for i := 2; ; i++ {
		_, taken := kept[p]
		if _, err := os.Stat(filepath.Join(b.svc, p)); !taken && (err != nil || b.own[p]) {
			return p
		}
		p = fmt.Sprintf("%s_%d_test.go", base, i)
	}
}

func goDirective(svc string) string {
	b, _ := os.ReadFile(filepath.Join(svc, "go.mod"))
	if v := gosrc.GoDirective(b); v != "" {
		return v
	}
	return "1.24"
}

func pct(s *float64) string {
	if s == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", *s*100)
}
