package testrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/imports"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// Answer is the triage role's answer.
type Answer struct {
	Class       string        `json:"class"`
	RootCause   string        `json:"root_cause"`
	Confidence  float64       `json:"confidence"`
	TestIsWrong bool          `json:"test_is_wrong"`
	NeedsHuman  bool          `json:"needs_human"`
	Edits       []change.Edit `json:"edits"`
}

// AnswerSchema is the JSON Schema of Answer.
var AnswerSchema = json.RawMessage(`{
  "type": "object",
  "required": ["class", "root_cause", "confidence", "edits"],
  "properties": {
    "class": {"type": "string"},
    "root_cause": {"type": "string"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "test_is_wrong": {"type": "boolean"},
    "needs_human": {"type": "boolean"},
    "edits": {
      "type": ["array", "null"],
      "items": {
        "type": "object",
        "required": ["path", "old", "new"],
        "properties": {"path": {"type": "string"}, "old": {"type": "string"}, "new": {"type": "string"}}
      }
    }
  }
}`)

// remediate proposes and applies one change for the failures of an
// iteration: a deterministic fix when one is known, else the triage
// role's, for the first failure not tried yet (compile and unit failures
// first: they point at code). It returns the applied change awaiting the
// next run's verdict, or nil when nothing could be applied.
func (l *loop) remediate(ctx context.Context, n int, fs []triage.Failure) (*Remediation, error) {
	order := append([]triage.Failure(nil), fs...)
	sort.SliceStable(order, func(i, j int) bool { return priority(order[i]) < priority(order[j]) })
	asked := 0
	for _, f := range order {
		if l.tried[f.Signature] || f.Class == failure.Flaky {
			continue
		}
		l.tried[f.Signature] = true
		r := &Remediation{N: len(l.out.Remediations) + 1, Iteration: n, Failure: f, Failures: [2]int{len(fs), -1}}
		set, fixer, why, ok, err := l.deterministic(ctx, f)
		if err != nil {
			return nil, err
		}
		if ok {
			r.Kind, r.Fixer, r.Class, r.RootCause, r.Confidence = "deterministic", fixer, string(f.Class), why, 1
			r.set = set
		} else {
			if l.env.LLM == nil {
				l.record(r, "model", "", Proposal, "no triage role is configured: a human must look at this failure")
				continue
			}
			if asked == 2 {
				l.tried[f.Signature] = false
				continue
			}
			asked++
			if err := l.ask(ctx, r); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				l.record(r, "model", "", Invalid, "the triage role failed: "+err.Error())
				l.stop(StopModel, "the triage role failed: "+err.Error())
				return nil, nil
			}
			if r.Status != "" {
				continue // recorded: refused, a proposal, or invalid
			}
		}
		pol := l.in.Policy
		pol.TestEdits = r.TestIsWrong
		if rs := pol.Check(r.set); len(rs) > 0 {
			l.record(r, r.Kind, r.Fixer, Refused, change.Explain(rs)+"; kept as a proposal for a human")
			continue
		}
		if l.in.MaxLinesRun > 0 && l.lines+r.set.Lines() > l.in.MaxLinesRun {
			l.record(r, r.Kind, r.Fixer, Refused, fmt.Sprintf("the run's changes would reach %d lines; policy.max_lines_per_run is %d", l.lines+r.set.Lines(), l.in.MaxLinesRun))
			continue
		}
		if err := l.apply(r.set); err != nil {
			l.record(r, r.Kind, r.Fixer, Invalid, "could not apply: "+err.Error())
			continue
		}
		r.Status = "pending"
		r.Files, r.Lines = r.set.Paths(), r.set.Lines()
		if p, err := r.set.Patch(); err == nil && p != "" {
			r.Patch = l.write(fmt.Sprintf("diffs/%02d-%s.patch", r.N, artifact.Slug(r.Fixer)), []byte(p))
		}
		for _, p := range r.Files {
			if strings.HasPrefix(p, strings.Trim(l.in.Spec.Dir, "/")+"/") && l.deployed != nil {
				l.stale, r.Redeployed = true, true
			}
		}
		l.out.Remediations = append(l.out.Remediations, *r)
		fmt.Fprintf(l.env.Log, "remediation %d (%s, %s) for %s applied; re-running\n", r.N, r.Kind, r.Fixer, f.Signature)
		_ = l.env.Art.Event("decision", map[string]any{"decision": "apply-remediation", "n": r.N, "fixer": r.Fixer, "signature": f.Signature, "patch": r.Patch})
		return &l.out.Remediations[len(l.out.Remediations)-1], nil
	}
	return nil, nil
}

func priority(f triage.Failure) int {
	switch f.Class {
	case failure.CompileError, failure.ImportError, failure.MissingDependency, failure.VetFailure:
		return 0
	case failure.Panic:
		return 1
	}
	if strings.Contains(f.File, "/e2e/") || f.Class == failure.ServiceUnreachable {
		return 3
	}
	return 2
}

func (l *loop) record(r *Remediation, kind, fixer, status, reason string) {
	r.Kind, r.Status, r.Reason = kind, status, reason
	if fixer != "" {
		r.Fixer = fixer
	}
	r.Files, r.Lines = r.set.Paths(), r.set.Lines()
	if p, err := r.set.Patch(); err == nil && p != "" {
		r.Patch = l.write(fmt.Sprintf("rejected/%02d-%s.patch", r.N, artifact.Slug(r.Fixer)), []byte(p))
	}
	l.out.Remediations = append(l.out.Remediations, *r)
	fmt.Fprintf(l.env.Log, "remediation %d for %s: %s: %s\n", r.N, r.Failure.Signature, status, reason)
	_ = l.env.Art.Event("decision", map[string]any{"decision": status + "-remediation", "n": r.N, "signature": r.Failure.Signature, "reason": reason, "patch": r.Patch})
}

func (l *loop) keep(r *Remediation) {
	r.Status = Applied
	l.lines += r.Lines
	_ = l.env.Art.Event("decision", map[string]any{"decision": "keep-remediation", "n": r.N, "failures": r.Failures})
}

func (l *loop) revert(r *Remediation, why string) error {
	if err := r.set.Revert(l.in.Workdir); err != nil {
		return fmt.Errorf("revert remediation %d: %w", r.N, err)
	}
	r.Status, r.Reason = Reverted, why
	if r.Redeployed {
		l.stale = true
	}
	fmt.Fprintf(l.env.Log, "remediation %d reverted: %s\n", r.N, why)
	_ = l.env.Art.Event("decision", map[string]any{"decision": "revert-remediation", "n": r.N, "reason": why})
	return nil
}

// apply writes a change, remembering each file as it was before the phase.
func (l *loop) apply(set change.Set) error {
	if l.original == nil {
		l.original = map[string][]byte{}
	}
	for _, f := range set.Files {
		if _, ok := l.original[f.Path]; !ok {
			l.original[f.Path] = f.Before
			l.order = append(l.order, f.Path)
		}
	}
	return set.Apply(l.in.Workdir)
}

// deterministic is the fix orchestrate knows without a model: imports and
// formatting, go mod tidy, the service's port against the compose file.
func (l *loop) deterministic(ctx context.Context, f triage.Failure) (change.Set, string, string, bool, error) {
	switch f.Class {
	case failure.ImportError, failure.CompileError:
		set, err := l.goimports()
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "goimports", "imports are missing or unused; goimports adds and removes import lines only", true, nil
	case failure.MissingDependency:
		set, err := l.tidy(ctx)
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "go mod tidy", "a required module is missing from go.mod or go.sum; go mod tidy records what the code imports", true, nil
	case failure.ServiceUnreachable, failure.HealthcheckFailed:
		set, why, err := l.portMismatch()
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "compose port check", why, true, nil
	}
	return change.Set{}, "", "", false, nil
}

func (l *loop) goimports() (change.Set, error) {
	var set change.Set
	files, _ := filepath.Glob(filepath.Join(l.serviceDir(), "*.go"))
	for _, abs := range files {
		src, err := os.ReadFile(abs)
		if err != nil {
			return set, err
		}
		fixed, err := imports.Process(abs, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
		if err != nil || bytes.Equal(fixed, src) {
			continue
		}
		set.Files = append(set.Files, change.File{Path: l.rel(abs), Before: src, After: fixed})
	}
	return set, nil
}

func (l *loop) tidy(ctx context.Context) (change.Set, error) {
	dir := l.serviceDir()
	var set change.Set
	before := map[string][]byte{}
	for _, n := range []string{"go.mod", "go.sum"} {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		before[n] = b
	}
	g := l.g
	g.Extra = append(append([]string(nil), g.Extra...), "GOFLAGS=-mod=mod")
	r, err := g.Run(ctx, dir, "mod", "tidy")
	if err != nil || !r.OK() {
		return set, err
	}
	for _, n := range []string{"go.mod", "go.sum"} {
		after, _ := os.ReadFile(filepath.Join(dir, n))
		if !bytes.Equal(after, before[n]) {
			set.Files = append(set.Files, change.File{Path: l.rel(filepath.Join(dir, n)), Before: before[n], After: after})
		}
	}
	// Undo: the change is applied through the policy like any other.
	for _, f := range set.Files {
		abs := filepath.Join(l.in.Workdir, filepath.FromSlash(f.Path))
		if f.Before == nil {
			os.Remove(abs)
		} else {
			_ = os.WriteFile(abs, f.Before, 0o644)
		}
	}
	return set, nil
}

var portEnvRe = regexp.MustCompile(`(?m)^(\s+PORT:\s*)"?(\d+)"?\s*$`)
var portMapRe = regexp.MustCompile(`(?m)^\s+-\s*"?(?:[^"\n]*:)?(\d+)"?\s*$`)

// portMismatch finds a compose file whose service listens (PORT) on a port
// it does not publish, and sets PORT to the published container port.
func (l *loop) portMismatch() (change.Set, string, error) {
	file := l.in.Deploy.Compose
	if file == "" {
		file = "compose.yaml"
	}
	abs := filepath.Join(l.serviceDir(), file)
	src, err := os.ReadFile(abs)
	if err != nil {
		return change.Set{}, "", nil
	}
	env := portEnvRe.FindSubmatch(src)
	mapped := portMapRe.FindSubmatch(src)
	if env == nil || mapped == nil || string(env[2]) == string(mapped[1]) {
		return change.Set{}, "", nil
	}
	after := portEnvRe.ReplaceAll(src, []byte(`${1}"`+string(mapped[1])+`"`))
	why := fmt.Sprintf("the service listens on PORT %s but the compose file publishes container port %s; PORT is set to %s", env[2], mapped[1], mapped[1])
	return change.Set{Files: []change.File{{Path: l.rel(abs), Before: src, After: after}}}, why, nil
}

// ask sends the failure to the triage role and fills r from the answer.
func (l *loop) ask(ctx context.Context, r *Remediation) error {
	pt, err := prompts.Load("test.triage")
	if err != nil {
		return err
	}
	data := l.promptData(r.Failure)
	prompt, err := pt.Render(data)
	if err != nil {
		return err
	}
	var a Answer
	err = l.env.LLM.Ask(ctx, llm.Ask{Role: Role, Prompt: prompt, Schema: AnswerSchema, SchemaName: "triage"}, &a)
	ex := l.env.LLM.LastExchange()
	if len(ex.Files) == 2 {
		r.Prompt, r.Response = ex.Files[0], ex.Files[1]
	}
	if err != nil {
		return err
	}
	model := ex.ModelSeen
	if model == "" {
		model = ex.Model
	}
	r.Kind, r.Fixer = "model", "model "+model+" (triage role)"
	r.Class, r.RootCause, r.Confidence, r.TestIsWrong = a.Class, a.RootCause, a.Confidence, a.TestIsWrong
	switch {
	case a.NeedsHuman || len(a.Edits) == 0:
		l.record(r, "model", "", Proposal, "the triage role says a human must decide: "+a.RootCause)
	case a.Confidence < l.in.MinConfidence:
		r.set, _ = change.Build(l.in.Workdir, a.Edits, nil)
		l.record(r, "model", "", Proposal, fmt.Sprintf("confidence %.2f is below policy.min_confidence %.2f; kept as a proposal for a human", a.Confidence, l.in.MinConfidence))
	default:
		set, err := change.Build(l.in.Workdir, a.Edits, nil)
		if err != nil {
			l.record(r, "model", "", Invalid, "the answer's edits do not apply: "+err.Error())
			return nil
		}
		r.set = set
	}
	return nil
}

// Code is a piece of the code under test shown to the triage role.
type Code struct {
	Path     string
	From, To int
	Source   string
}

// promptData is what the triage role sees: the failure, the failing test's
// source, and the code it points to, each bounded.
func (l *loop) promptData(f triage.Failure) map[string]any {
	ev := strings.Join(f.Evidence, "\n")
	if ev != "" {
		ev += "\n"
	}
	d := map[string]any{"Test": f.Test, "Where": f.Where(), "Class": f.Class, "Owner": f.Owner, "Signature": f.Signature, "Evidence": ev,
		"TestFile": "", "TestSource": ""}
	if f.Test == "" {
		d["Test"] = "the build"
	}
	testFile, testSrc, helpers := l.testSource(f.Test)
	if testSrc != "" {
		d["TestFile"], d["TestSource"] = testFile, clip(testSrc, 3000)
	}
	d["Code"] = l.codeUnderTest(f, testSrc+helpers)
	return d
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n// … (cut)\n"
}

// testSource finds the top-level test function in the service's and the
// tests' files; helpers are the file's other functions, searched for the
// code under test.
func (l *loop) testSource(test string) (file, src, helpers string) {
	if test == "" {
		return "", "", ""
	}
	name := strings.SplitN(test, "/", 2)[0]
	var files []string
	for _, dir := range []string{l.serviceDir(), l.testsDir()} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	for _, p := range files {
		decls := funcs(p)
		for _, fd := range decls {
			if fd.name == name {
				for _, h := range decls {
					if !strings.HasPrefix(h.name, "Test") {
						helpers += h.src
					}
				}
				return l.rel(p), fd.src, helpers
			}
		}
	}
	return "", "", ""
}

type decl struct {
	name     string
	from, to int
	src      string
}

func funcs(p string) []decl {
	src, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, p, src, parser.ParseComments)
	if err != nil {
		return nil
	}
	var out []decl
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		out = append(out, decl{name: fd.Name.Name, from: fset.Position(start).Line, to: fset.Position(fd.End()).Line,
			src: string(src[fset.Position(start).Offset:fset.Position(fd.End()).Offset]) + "\n"})
	}
	return out
}

var identRe = regexp.MustCompile(`\b[A-Za-z_]\w*\b`)
var statusNames = map[string]string{"200": "StatusOK", "201": "StatusCreated", "202": "StatusAccepted", "204": "StatusNoContent",
	"400": "StatusBadRequest", "404": "StatusNotFound", "405": "StatusMethodNotAllowed", "409": "StatusConflict",
	"422": "StatusUnprocessableEntity", "500": "StatusInternalServerError", "503": "StatusServiceUnavailable"}
var codeRe = regexp.MustCompile(`\b([1-5]\d\d)\b`)

// codeUnderTest is the service's functions the failure points to: the one
// at the failure's location, the ones the test calls, and the ones writing
// a status code the evidence names. At most four, 4 KB.
func (l *loop) codeUnderTest(f triage.Failure, testSrc string) []Code {
	files, _ := filepath.Glob(filepath.Join(l.serviceDir(), "*.go"))
	type cand struct {
		path string
		d    decl
	}
	var all []cand
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		for _, d := range funcs(p) {
			all = append(all, cand{l.rel(p), d})
		}
	}
	var out []Code
	size := 0
	seen := map[string]bool{}
	add := func(c cand) {
		k := c.path + ":" + c.d.name + fmt.Sprint(c.d.from)
		if seen[k] || len(out) >= 4 || size+len(c.d.src) > 4096 {
			return
		}
		seen[k] = true
		size += len(c.d.src)
		out = append(out, Code{Path: c.path, From: c.d.from, To: c.d.to, Source: c.d.src})
	}
	for _, c := range all {
		if f.Line > 0 && strings.HasSuffix(c.path, filepath.Base(f.File)) && f.Line >= c.d.from && f.Line <= c.d.to {
			add(c)
		}
	}
	// Frames of a panic point at more code than its first line.
	for _, ev := range f.Evidence {
		for _, c := range all {
			if strings.Contains(ev, filepath.Base(c.path)+":") {
				var line int
				if i := strings.Index(ev, filepath.Base(c.path)+":"); i >= 0 {
					fmt.Sscanf(ev[i+len(filepath.Base(c.path))+1:], "%d", &line)
				}
				if line >= c.d.from && line <= c.d.to {
					add(c)
				}
			}
		}
	}
	called := map[string]bool{}
	for _, id := range identRe.FindAllString(testSrc, -1) {
		called[id] = true
	}
	for _, c := range all {
		if called[c.d.name] {
			add(c)
		}
	}
	for _, m := range codeRe.FindAllStringSubmatch(strings.Join(f.Evidence, "\n"), -1) {
		if name, ok := statusNames[m[1]]; ok {
			for _, c := range all {
				if strings.Contains(c.d.src, "http."+name) {
					add(c)
				}
			}
		}
	}
	return out
}
