// Package lint is the phase between testgen and deploy: static analysis of
// the service and test modules, fixed by the cheapest correct fixer first.
// gofmt and goimports run before the analyzers (an unused import is a
// compile error that blocks most of them); go vet's and staticcheck's
// analyzers run per package under go vet, with the binary as its own vet
// tool so the go build cache keeps each package's facts and findings (or
// in-process when a module does not type-check), and their suggested
// fixes are applied pass by pass until nothing changes; what is left goes
// to the fixer role, one finding at a time, with only the context it
// needs. Every change is verified (the module and its tests type-check,
// the finding is gone, the findings went down) or reverted, and leaves a
// diff and a reason.
package lint

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// Role is the LLM role that fixes what no analyzer can.
const Role = "fixer"

// Module is one Go module the phase looks at.
type Module struct {
	Dir string `json:"dir"` // relative to the workdir
	Fix bool   `json:"fix"`
	Why string `json:"why,omitempty"` // why it is analysed but not fixed
}

// Input of the lint phase.
type Input struct {
	Workdir string   `json:"-"`
	Modules []Module `json:"modules"`
	// Checks selects analyzers (see NewSuite); nil is DefaultChecks.
	Checks []string `json:"checks"`
	// FailOn names analyzers, groups or "any": a finding of theirs left at
	// the end fails the phase. Empty: remaining findings are reported only.
	FailOn    []string `json:"fail_on,omitempty"`
	MaxPasses int      `json:"max_passes"`  // deterministic fix passes
	MaxModel  int      `json:"model_fixes"` // findings sent to the fixer role; 0 turns it off
	// Golangci runs golangci-lint when "auto" and the module has a
	// .golangci.* file and the binary is on PATH; "off" never.
	Golangci string        `json:"golangci"`
	Policy   change.Policy `json:"policy"`
	// FixesFile is where each applied fix is explained, relative to the
	// workdir; "" turns it off.
	FixesFile string    `json:"fixes_file"`
	Environ   []string  `json:"-"`
	Go        gotool.Go `json:"-"`
}

// Fix statuses: the change transaction's.
const (
	Applied  = change.Applied
	Reverted = change.Reverted // applied, failed verification, undone
	Refused  = change.Refused  // the change policy said no; kept as a proposal
	Proposal = change.Proposal // the model said a human must decide
	Invalid  = change.Invalid  // the answer could not be turned into a change
)

// Fix is one proposed change and what became of it: the change
// transaction's record (kind deterministic or model; fixer gofmt,
// goimports, an analyzer, or the model), for one finding.
type Fix struct {
	change.Record
	Module  string    `json:"module"`
	Finding Finding   `json:"finding"`
	Safe    string    `json:"safe,omitempty"` // why a kept fix is safe
	Counts  [2]Counts `json:"counts"`         // findings before and after the fix

	diff string // the patch itself, for FIXES.md
}

// Counts of one analysis: findings, and what keeps the code from
// type-checking.
type Counts struct {
	Findings int `json:"findings"`
	Broken   int `json:"broken"`
}

// Output of the lint phase.
type Output struct {
	Analyzers []string       `json:"analyzers"`
	Modules   []ModuleResult `json:"modules"`
	Before    Counts         `json:"before"`
	After     Counts         `json:"after"`
	Fixes     []Fix          `json:"fixes"`              // applied, in order
	Rejected  []Fix          `json:"rejected,omitempty"` // proposals not kept
	Remaining []Finding      `json:"remaining"`
	FailedOn  []Finding      `json:"failed_on,omitempty"`
	Evidence  Evidence       `json:"evidence"`
	ModelErr  string         `json:"model_error,omitempty"` // the fixer role failed; findings were left
}

// ModuleResult is one module's outcome.
type ModuleResult struct {
	Dir    string `json:"dir"`
	Fixed  bool   `json:"fixed"`
	Before Counts `json:"before"`
	After  Counts `json:"after"`
	Build  Check  `json:"build"`
}

// Check is the real toolchain's word at the end: the module builds and its
// tests compile.
type Check struct {
	OK  bool   `json:"ok"`
	Log string `json:"log,omitempty"`
}

// Evidence names the phase's files, relative to the run directory.
type Evidence struct {
	FindingsBefore string `json:"findings_before"`
	FindingsAfter  string `json:"findings_after"`
	Patch          string `json:"patch,omitempty"` // every applied fix, before against after
	FixesFile      string `json:"fixes_file,omitempty"`
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	var out Output
	suite, err := NewSuite(in.Checks)
	if err != nil {
		return out, failure.Wrap(failure.ConfigError, err, "phases.lint.checks")
	}
	out.Analyzers = suite.Names()
	r := newRunner(env, in, suite, &out)
	dirs, err := moduleDirs(in)
	if err != nil {
		return out, err
	}
	first, err := r.analyzeAll(ctx, dirs)
	if err != nil {
		return out, err
	}
	before, after, err := r.modules(ctx, dirs, first)
	if err != nil {
		return out, err
	}
	out.Remaining = after
	out.FailedOn = failOn(after, in.FailOn, suite)
	if err := r.evidence(before, after); err != nil {
		return out, err
	}
	fmt.Fprintf(env.Log, "findings: %d before, %d after; %d fix(es) applied, %d not kept\n",
		out.Before.Findings+out.Before.Broken, out.After.Findings+out.After.Broken, len(out.Fixes), len(out.Rejected))
	if err := buildFailure(out.Modules); err != nil {
		return out, err
	}
	if len(out.FailedOn) > 0 {
		return out, &failure.Error{Class: failure.LintFindings, Where: out.Evidence.FindingsAfter,
			Message: fmt.Sprintf("%d finding(s) left that phases.lint.fail_on fails on, first %s", len(out.FailedOn), out.FailedOn[0])}
	}
	return out, ctx.Err()
}

// newRunner sets up one run of the phase, its output out, and records the
// in-process analyzers as a tool of the run.
func newRunner(env phase.Env, in Input, suite *Suite, out *Output) *runner {
	g := in.Go.Or(env.Log, in.Environ)
	r := &runner{env: env, in: in, suite: suite, g: g, out: out}
	r.txn = &change.Txn{Workdir: in.Workdir, Policy: in.Policy, Write: func(name string, b []byte) (string, error) {
		if _, err := env.Art.Write(name, b); err != nil {
			return "", err
		}
		return env.Art.Rel(name), nil
	}}
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: phase.Lint, Tool: "go/analysis", Version: "x/tools + staticcheck " + staticcheckVersion,
		Role: fmt.Sprintf("%d analyzers (%s), per package under go vet -vettool=<this binary>; in-process for a module that does not type-check", len(out.Analyzers), strings.Join(suite.Sources(), ", ")),
		Why:  "Analyzers with their own suggested fixes are the cheapest correct fixer; go vet keeps each package's facts and findings in the go build cache, so the re-analysis that verifies every fix costs only the packages it changed."})
	return r
}

// moduleDirs are the modules' absolute directories; each must be a Go
// module before anything is analysed.
func moduleDirs(in Input) ([]string, error) {
	var dirs []string
	for _, m := range in.Modules {
		dir := filepath.Join(in.Workdir, filepath.FromSlash(m.Dir))
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			return nil, failure.New(failure.ConfigError, "%s has no go.mod: the lint phase analyses Go modules; run scaffold first or fix phases.lint", m.Dir)
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

// modules lints each module in turn from its first analysis, adding its
// outcome to the output; it returns every module's findings before and
// after.
func (r *runner) modules(ctx context.Context, dirs []string, first map[string]snapshot) (before, after []Finding, err error) {
	for i, m := range r.in.Modules {
		res, b, a, err := r.module(ctx, m, first[dirs[i]])
		if err != nil {
			return nil, nil, err
		}
		before, after = append(before, b...), append(after, a...)
		r.out.Modules = append(r.out.Modules, res)
		r.out.Before.add(res.Before)
		r.out.After.add(res.After)
	}
	return before, after, nil
}

// evidence writes the phase's files: the findings before and after, the
// patch of every applied fix, and the fixes file in the workdir.
func (r *runner) evidence(before, after []Finding) error {
	ev := &r.out.Evidence
	ev.FindingsBefore = r.writeJSON("findings-before.json", nonNil(before))
	ev.FindingsAfter = r.writeJSON("findings-after.json", nonNil(after))
	if p, err := r.combined(); err != nil {
		return err
	} else if p != "" {
		ev.Patch = r.write("diffs/lint.patch", []byte(p))
	}
	if r.in.FixesFile != "" {
		if err := writeFixes(filepath.Join(r.in.Workdir, filepath.FromSlash(r.in.FixesFile)), r.out.Fixes); err != nil {
			return fmt.Errorf("write %s: %w", r.in.FixesFile, err)
		}
		ev.FixesFile = r.in.FixesFile
	}
	return nil
}

// buildFailure is the phase's error when a module no longer builds: the
// first such module's. A build failure outweighs the findings left.
func buildFailure(mods []ModuleResult) error {
	for _, res := range mods {
		if !res.Build.OK {
			return &failure.Error{Class: failure.CompileError, Where: res.Build.Log,
				Message: fmt.Sprintf("%s no longer builds after the lint phase; see the build log", res.Dir)}
		}
	}
	return nil
}

func (c *Counts) add(o Counts) { c.Findings += o.Findings; c.Broken += o.Broken }

func nonNil(f []Finding) []Finding {
	if f == nil {
		return []Finding{}
	}
	return f
}

// runner carries one phase run.
type runner struct {
	env   phase.Env
	in    Input
	suite *Suite
	g     gotool.Go
	out   *Output
	txn   *change.Txn // every change of the phase
	asked int         // places sent to the fixer role
}

func (r *runner) write(name string, b []byte) string {
	if _, err := r.env.Art.Write(name, b); err != nil {
		fmt.Fprintf(r.env.Log, "write %s: %v\n", name, err)
	}
	return r.env.Art.Rel(name)
}

func (r *runner) writeJSON(name string, v any) string {
	if _, err := r.env.Art.WriteJSON(name, v); err != nil {
		fmt.Fprintf(r.env.Log, "write %s: %v\n", name, err)
	}
	return r.env.Art.Rel(name)
}

// snapshot is one analysis of a module.
type snapshot struct {
	findings []Finding // prepass and analyzers
	broken   []Finding // what keeps it from type-checking
}

func (s snapshot) counts() Counts { return Counts{Findings: len(s.findings), Broken: len(s.broken)} }

func (s snapshot) all() []Finding {
	out := append(append([]Finding(nil), s.broken...), s.findings...)
	sortFindings(out)
	return out
}

// better is the verification rule: fewer type errors, or as many and
// fewer findings. Fixing a compile error may let analyzers run that could
// not before, so their findings appearing is still progress.
func (s snapshot) better(than snapshot) bool {
	if len(s.broken) != len(than.broken) {
		return len(s.broken) < len(than.broken)
	}
	return len(s.findings) < len(than.findings)
}

func (s snapshot) count(key string) int {
	n := 0
	for _, f := range s.findings {
		if f.Key() == key {
			n++
		}
	}
	for _, f := range s.broken {
		if f.Key() == key {
			n++
		}
	}
	return n
}

// gone reports whether each fix's finding went away (one instance per fix).
func gone(fixes []Finding, was, now snapshot) bool {
	want := map[string]int{}
	for _, f := range fixes {
		want[f.Key()]++
	}
	for k, n := range want {
		if now.count(k) > was.count(k)-n {
			return false
		}
	}
	return true
}

// analyzeAll is the first analysis of every module, with one load.
func (r *runner) analyzeAll(ctx context.Context, dirs []string) (map[string]snapshot, error) {
	as, err := r.suite.AnalyzeAll(ctx, dirs, r.in.Workdir, r.env0())
	if err != nil {
		return nil, err
	}
	out := map[string]snapshot{}
	for _, d := range dirs {
		pre, err := prepass(d, r.in.Workdir)
		if err != nil {
			return nil, err
		}
		r.inProcess(d, as[d])
		s := snapshot{findings: append(pre, as[d].Findings...), broken: as[d].Broken}
		sortFindings(s.findings)
		out[d] = s
	}
	return out, nil
}

func (r *runner) analyze(ctx context.Context, dir string) (snapshot, error) {
	pre, err := prepass(dir, r.in.Workdir)
	if err != nil {
		return snapshot{}, err
	}
	a, err := r.suite.Analyze(ctx, dir, r.in.Workdir, r.env0())
	if err != nil {
		return snapshot{}, err
	}
	r.inProcess(dir, a)
	s := snapshot{findings: append(pre, a.Findings...), broken: a.Broken}
	sortFindings(s.findings)
	return s, nil
}

// inProcess logs an analysis go vet did not make, and why.
func (r *runner) inProcess(dir string, a Analysis) {
	if a.InProcess != "" {
		fmt.Fprintf(r.env.Log, "%s: analysed in-process (%s)\n", rel(r.in.Workdir, dir), a.InProcess)
	}
}

// env0 is the environment go/packages runs `go list` in.
func (r *runner) env0() []string {
	env := r.in.Environ
	if env == nil {
		env = os.Environ()
	}
	return append(append([]string(nil), env...), gotool.Pinned...)
}

// module lints one module.
func (r *runner) module(ctx context.Context, m Module, cur snapshot) (ModuleResult, []Finding, []Finding, error) {
	res := ModuleResult{Dir: m.Dir, Fixed: m.Fix}
	dir := filepath.Join(r.in.Workdir, filepath.FromSlash(m.Dir))
	var err error
	extra := r.golangci(ctx, dir)
	before := append(cur.all(), extra...)
	res.Before = cur.counts()
	res.Before.Findings += len(extra)
	fmt.Fprintf(r.env.Log, "%s: %d finding(s), %d type error(s)\n", m.Dir, len(cur.findings)+len(extra), len(cur.broken))
	if !m.Fix {
		fmt.Fprintf(r.env.Log, "%s: analysed, not fixed: %s\n", m.Dir, m.Why)
	} else {
		pol := r.in.Policy
		pol.Dirs, pol.TestEdits = []string{m.Dir}, true
		if cur, err = r.deterministic(ctx, m, dir, cur, pol); err != nil {
			return res, nil, nil, err
		}
		if cur, err = r.model(ctx, m, dir, cur, pol); err != nil {
			return res, nil, nil, err
		}
		if len(r.out.Fixes) > 0 || len(extra) > 0 {
			extra = r.golangci(ctx, dir)
		}
	}
	after := append(cur.all(), extra...)
	res.After = cur.counts()
	res.After.Findings += len(extra)
	res.Build, err = r.build(ctx, m, dir)
	return res, before, after, err
}

// deterministic applies the analyzers' own fixes, pass by pass. A pass
// applies every fix that does not overlap one applied before it in the
// pass and verifies them together; when that fails, it verifies them one
// at a time.
func (r *runner) deterministic(ctx context.Context, m Module, dir string, cur snapshot, pol change.Policy) (snapshot, error) {
	rejected := map[string]bool{}
	for pass := 1; pass <= r.in.MaxPasses; pass++ {
		cands := fixable(cur, rejected)
		if len(cands) == 0 {
			return cur, nil
		}
		batch, err := r.applyPass(m, cands, cur, pol, rejected)
		if err != nil {
			return cur, err
		}
		if len(batch) == 0 {
			return cur, nil
		}
		next, err := r.analyze(ctx, dir)
		if err != nil {
			return cur, err
		}
		if next.better(cur) && gone(batch.findings(), cur, next) {
			r.keepPass(m, pass, batch, cur, next)
			cur = next
			continue
		}
		if err := r.undo(batch); err != nil {
			return cur, err
		}
		fmt.Fprintf(r.env.Log, "%s: pass %d did not verify as a whole; verifying its %d fix(es) one at a time\n", m.Dir, pass, len(batch))
		if cur, err = r.oneByOne(ctx, m, dir, batch, cur, rejected); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

// pending is a fix applied in a pass and not yet verified.
type pending struct {
	f   Finding
	set change.Set
}

// passFixes are the fixes one pass applied, in the order applied.
type passFixes []pending

func (b passFixes) findings() []Finding {
	var fs []Finding
	for _, s := range b {
		fs = append(fs, s.f)
	}
	return fs
}

// fixable lists the findings with a fix of their own not rejected before:
// goimports first (it formats too), then gofmt, then the analyzers.
func fixable(cur snapshot, rejected map[string]bool) []Finding {
	var cands []Finding
	for _, f := range cur.findings {
		if f.Fixable && !rejected[f.Key()] {
			cands = append(cands, f)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return rank(cands[i]) < rank(cands[j]) })
	return cands
}

// applyPass applies every candidate fix that does not overlap one applied
// before it in the pass and that the change policy allows; a refused fix
// is recorded and rejected for the passes to come.
func (r *runner) applyPass(m Module, cands []Finding, cur snapshot, pol change.Policy, rejected map[string]bool) (passFixes, error) {
	var batch passFixes
	tr := tracker{}
	for _, f := range cands {
		set, ok, err := tr.set(r.in.Workdir, f)
		if err != nil {
			return batch, err
		}
		if !ok || set.Empty() {
			continue
		}
		if refusals := pol.Check(set); len(refusals) > 0 {
			r.reject(m, f, "deterministic", f.Analyzer, Refused, change.Explain(refusals), set, cur.counts(), cur.counts(), "", "")
			rejected[f.Key()] = true
			continue
		}
		if err := r.apply(set); err != nil {
			return batch, err
		}
		tr.keep(f)
		batch = append(batch, pending{f, set})
	}
	return batch, nil
}

// keepPass records a pass that verified as a whole: each of its fixes,
// with the counts before and after the whole pass.
func (r *runner) keepPass(m Module, pass int, batch passFixes, cur, next snapshot) {
	counts := cur.counts()
	for _, s := range batch {
		r.applied(m, s.f, "deterministic", s.f.Analyzer, safeText(s.f), s.set, counts, next.counts(), "", "")
	}
	fmt.Fprintf(r.env.Log, "%s: pass %d applied %d fix(es): %d -> %d finding(s)\n", m.Dir, pass, len(batch), len(cur.all()), len(next.all()))
}

// undo reverts a pass, last fix first.
func (r *runner) undo(batch passFixes) error {
	for i := len(batch) - 1; i >= 0; i-- {
		if err := batch[i].set.Revert(r.in.Workdir); err != nil {
			return err
		}
	}
	return nil
}

// oneByOne applies and verifies the fixes of an undone pass one at a time,
// keeping those that verify and rejecting the others for the passes to
// come. It returns the analysis after the last fix kept.
func (r *runner) oneByOne(ctx context.Context, m Module, dir string, batch passFixes, cur snapshot, rejected map[string]bool) (snapshot, error) {
	tr := tracker{}
	for _, s := range batch {
		set, ok, err := tr.set(r.in.Workdir, s.f)
		if err != nil {
			return cur, err
		}
		if !ok {
			continue
		}
		if err := set.Apply(r.in.Workdir); err != nil {
			return cur, err
		}
		next, err := r.analyze(ctx, dir)
		if err != nil {
			return cur, err
		}
		if next.better(cur) && gone([]Finding{s.f}, cur, next) {
			r.applied(m, s.f, "deterministic", s.f.Analyzer, safeText(s.f), set, cur.counts(), next.counts(), "", "")
			tr.keep(s.f)
			cur = next
			continue
		}
		if err := set.Revert(r.in.Workdir); err != nil {
			return cur, err
		}
		r.reject(m, s.f, "deterministic", s.f.Analyzer, Reverted, verifyText(cur, next), set, cur.counts(), next.counts(), "", "")
		rejected[s.f.Key()] = true
	}
	return cur, nil
}

func rank(f Finding) int {
	switch f.Source {
	case "goimports":
		return 0
	case "gofmt":
		return 1
	}
	return 2
}

// apply writes a change, remembering each file's state before the phase.
func (r *runner) apply(set change.Set) error { return r.txn.Put(set) }

func (r *runner) record(m Module, f Finding, kind, fixer, status, why string, set change.Set, before, after Counts, prompt, resp string) Fix {
	fx := Fix{Record: r.txn.Next(kind, fixer), Module: m.Dir, Finding: f, Counts: [2]Counts{before, after}}
	fx.Prompt, fx.Response = prompt, resp
	reason := why
	if status == Applied {
		fx.Safe, reason = why, ""
	}
	if err := r.txn.Record(&fx.Record, set, status, reason); err != nil {
		fmt.Fprintf(r.env.Log, "keep the patch of fix %d: %v\n", fx.N, err)
	}
	fx.diff, _ = set.Patch()
	return fx
}

func (r *runner) applied(m Module, f Finding, kind, fixer, why string, set change.Set, before, after Counts, prompt, resp string) {
	fx := r.record(m, f, kind, fixer, Applied, why, set, before, after, prompt, resp)
	r.out.Fixes = append(r.out.Fixes, fx)
	r.follow(m, set)
	_ = r.env.Art.Event("decision", map[string]any{"decision": "keep-fix", "n": fx.N, "fixer": fixer, "finding": f.String(), "patch": fx.Patch})
}

func (r *runner) reject(m Module, f Finding, kind, fixer, status, why string, set change.Set, before, after Counts, prompt, resp string) {
	fx := r.record(m, f, kind, fixer, status, why, set, before, after, prompt, resp)
	r.out.Rejected = append(r.out.Rejected, fx)
	fmt.Fprintf(r.env.Log, "%s fix for %s: %s: %s\n", status, f, fixer, why)
	_ = r.env.Art.Event("decision", map[string]any{"decision": status + "-fix", "n": fx.N, "fixer": fixer, "finding": f.String(), "reason": why, "patch": fx.Patch})
}

// follow keeps the generated-files manifest in step: a file orchestrate
// generated and lint fixed is still orchestrate's, not a hand edit. A file
// already edited by hand stays the user's.
func (r *runner) follow(m Module, set change.Set) {
	d := workspace.Dir{Workdir: r.in.Workdir, Rel: m.Dir}
	for _, f := range set.Files {
		p := strings.TrimPrefix(f.Path, strings.Trim(m.Dir, "/")+"/")
		if err := d.Follow(p, f.Before, f.After); err != nil {
			fmt.Fprintf(r.env.Log, "update %s: %v\n", workspace.SumFile, err)
		}
	}
}

// combined is the phase's whole change: every file it touched, as it was
// before the phase against as it is now.
func (r *runner) combined() (string, error) {
	set, err := r.txn.Whole()
	if err != nil {
		return "", err
	}
	return set.Patch()
}

// build is the real toolchain's check: the module builds and its tests
// compile (run nothing).
func (r *runner) build(ctx context.Context, m Module, dir string) (Check, error) {
	var log strings.Builder
	ok := true
	for _, args := range [][]string{{"build", "./..."}, {"test", "-vet=off", "-count=1", "-run", "^$", "./..."}} {
		res, err := r.g.Run(ctx, dir, args...)
		if err != nil {
			return Check{}, err
		}
		fmt.Fprintf(&log, "$ go %s\n%s", strings.Join(args, " "), res.Output)
		if !res.OK() {
			ok = false
			fmt.Fprintf(&log, "exit %d\n", res.ExitCode)
			break
		}
	}
	c := Check{OK: ok, Log: r.write("logs/build-"+artifact.Slug(m.Dir)+".txt", []byte(log.String()))}
	r.env.Tools.Record(phase.ToolUse{Time: r.env.Now(), Phase: phase.Lint, Tool: "go build + go test -vet=off -run ^$", Version: r.g.Version(ctx),
		Role: "build check of " + m.Dir, Why: "The phase fails only when the code no longer builds; the real toolchain has the last word, not the type checker the analyzers use."})
	return c, nil
}

func safeText(f Finding) string {
	switch f.Source {
	case "gofmt":
		return "Formatting only: gofmt changes layout, never behaviour."
	case "goimports":
		return "Adds or removes import lines only; the package type-checks afterwards."
	}
	return fmt.Sprintf("The %s analyzer's own suggested fix (%s); afterwards the module and its tests type-check and the finding is gone.", f.Analyzer, f.Source)
}

func verifyText(was, now snapshot) string {
	if len(now.broken) > len(was.broken) {
		return "breaks the build: " + now.broken[0].String()
	}
	return fmt.Sprintf("does not reduce the findings (%d type errors and %d findings before, %d and %d after) or leaves its own finding", len(was.broken), len(was.findings), len(now.broken), len(now.findings))
}

// failOn lists the remaining findings phases.lint.fail_on names.
func failOn(rest []Finding, names []string, s *Suite) []Finding {
	if len(names) == 0 {
		return nil
	}
	var out []Finding
	for _, f := range rest {
		for _, n := range names {
			ok, _ := path.Match(n, f.Analyzer)
			if n == "any" || n == "all" || n == f.Source || ok {
				out = append(out, f)
				break
			}
		}
	}
	return out
}
