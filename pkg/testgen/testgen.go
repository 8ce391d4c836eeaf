// Package testgen is the second phase: tests from the spec. The spec's
// examples become end-to-end acceptance tests, deterministically, under the
// tests directory; no later phase may change them. The testgen role writes
// unit tests beside the code for the branches the examples do not reach,
// and every one of them is validated before it is kept: compiled (one
// repair with the compiler's output), run, and kept only when it passes. A
// failing test is kept out of the suite but never thrown away: its output
// is recorded, because it may have found a real bug.
package testgen

import (
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
	"github.com/orchestrate-dev/orchestrate/templates"
)

// Role is the LLM role that writes unit tests.
const Role = "testgen"

// AcceptanceFile is the spec-derived test file, relative to the tests
// directory.
const AcceptanceFile = "e2e/acceptance_test.go"

// Input of the testgen phase.
type Input struct {
	Spec    spec.Service `json:"spec"`
	Workdir string       `json:"-"`
	Unit    bool         `json:"unit"` // ask the testgen role for unit tests
	Force   bool         `json:"force"`
	// Sources is the service's code (its non-test .go files), as scaffold
	// left it or as the user edited it.
	Sources []Source  `json:"sources"`
	Go      gotool.Go `json:"-"`
}

// Source is one file of the service.
type Source struct {
	Path    string `json:"path"` // relative to the service directory
	SHA256  string `json:"sha256"`
	Content string `json:"-"`
}

// Output of the testgen phase.
type Output struct {
	Acceptance Acceptance `json:"acceptance"`
	Unit       Unit       `json:"unit"`
	Patches    []string   `json:"patches"` // in the run directory, in the order they were applied
	HandEdited []string   `json:"hand_edited,omitempty"`
}

// Acceptance is the spec-derived end-to-end suite.
type Acceptance struct {
	Dir      string             `json:"dir"` // the tests module, relative to the workdir
	Files    []workspace.Change `json:"files"`
	Examples int                `json:"examples"`
	Compiled bool               `json:"compiled"`
}

// Unit is the model-written unit tests and what validation made of them.
type Unit struct {
	Enabled        bool                `json:"enabled"`
	Files          []workspace.Change  `json:"files,omitempty"`
	Counts         Counts              `json:"counts"`
	CoverageBefore *float64            `json:"coverage_before,omitempty"` // percent of statements, without the generated tests
	CoverageAfter  *float64            `json:"coverage_after,omitempty"`  // with the kept ones
	Kept           []string            `json:"kept,omitempty"`            // test names
	Dropped        []Dropped           `json:"dropped,omitempty"`
	Refused        []workspace.Refusal `json:"refused,omitempty"`
	Notes          string              `json:"notes,omitempty"`
	// NotRegenerated is set when an offline run kept the committed unit
	// tests because the code was edited by hand and no answer is recorded
	// for it.
	NotRegenerated *NotRegenerated `json:"not_regenerated,omitempty"`
}

// Counts of generated unit tests.
type Counts struct {
	Generated int `json:"generated"` // test functions in the answers
	Compiled  int `json:"compiled"`  // in files that compiled (after at most one repair)
	Passed    int `json:"passed"`
	Kept      int `json:"kept"`
	Dropped   int `json:"dropped"`
	Repaired  int `json:"repaired_files"` // files that compiled only after the repair
}

// Dropped is a generated test kept out of the suite.
type Dropped struct {
	Test   string `json:"test"` // "*" for every test of a file that did not compile
	File   string `json:"file"`
	Reason string `json:"reason"` // compile_error | failed
	Output string `json:"output"` // the compiler or test output, relative to the run directory
	Source string `json:"source"` // the file as generated, relative to the run directory
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{Acceptance: Acceptance{Dir: in.Spec.TestsDir}, Unit: Unit{Enabled: in.Unit}}
	g := in.Go.Or(env.Log, nil)
	if err := acceptance(ctx, env, g, in, &out); err != nil {
		return out, err
	}
	if !in.Unit {
		fmt.Fprintln(env.Log, "unit tests: off (phases.testgen.unit: false)")
		return out, nil
	}
	if env.LLM == nil {
		return out, failure.New(failure.ConfigError, "testgen needs the %s role: configure llm.roles.%s, or set phases.testgen.unit: false", Role, Role)
	}
	return out, unit(ctx, env, g, in, &out)
}

// acceptance writes the spec-derived suite and checks that it compiles.
func acceptance(ctx context.Context, env phase.Env, g gotool.Go, in Input, out *Output) error {
	data, err := templates.DataFor(in.Spec)
	if err != nil {
		return failure.Wrap(failure.ConfigError, err, "render the acceptance tests")
	}
	tmpl, err := templates.Render("tests", data)
	if err != nil {
		return err
	}
	var files []workspace.File
	for _, f := range tmpl {
		files = append(files, workspace.File{Path: f.Path, Content: f.Content, Source: f.Source})
	}
	dir := workspace.Dir{Workdir: in.Workdir, Rel: in.Spec.TestsDir, Phase: phase.Testgen, Force: in.Force}
	res, err := dir.Write(files)
	if err != nil {
		return fmt.Errorf("write %s: %w", in.Spec.TestsDir, err)
	}
	out.Acceptance.Files, out.Acceptance.Examples = res.Changes, len(data.Examples)
	keepPatch(env, out, "acceptance", res)
	r, err := g.Run(ctx, dir.Abs(), "vet", "./...")
	record(ctx, env, g, "go vet", "compile check of the acceptance tests",
		"The spec-derived tests must compile before any phase relies on them; vet also catches a malformed table.")
	if err != nil {
		return err
	}
	if !r.OK() {
		_, _ = env.Art.Write("logs/acceptance-vet.txt", []byte(r.Output))
		return &failure.Error{Class: failure.CompileError, Where: env.Art.Rel("logs/acceptance-vet.txt"),
			Message: "the acceptance tests rendered from the spec do not compile: " + gotool.FirstError(r.Output)}
	}
	out.Acceptance.Compiled = true
	return nil
}

// unit asks for unit tests and validates them in a staging copy of the
// service, so nothing reaches the service directory before it passed.
func unit(ctx context.Context, env phase.Env, g gotool.Go, in Input, out *Output) error {
	svc := workspace.Dir{Workdir: in.Workdir, Rel: in.Spec.Dir, Phase: phase.Testgen, Force: in.Force}
	owned, err := svc.Owned()
	if err != nil {
		return err
	}
	stage, err := newStage(svc.Abs(), in.Sources, owned)
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage.dir)

	// Coverage before: the service with its own tests, without generated ones.
	before, err := stage.test(ctx, g, nil)
	if err != nil {
		return err
	}
	out.Unit.CoverageBefore = coverage(before)
	record(ctx, env, g, "go test", "coverage before", "Coverage of the service without the generated tests, to measure what they add.")

	goVersion := moduleGo(svc.Abs())
	ans, answer, err := ask(ctx, env, in, goVersion)
	if err != nil {
		nr, err := keepOnMiss(svc, in, owned, answer, err)
		if err != nil {
			return err
		}
		out.Unit.NotRegenerated = nr
		fmt.Fprintln(env.Log, nr.Line())
		_ = env.Art.Event("decision", map[string]any{"decision": "keep-unit-tests", "reason": NotRegeneratedNote, "edited": nr.Edited, "kept": nr.Kept})
		return nil
	}
	u := &out.Unit
	u.Notes = ans.Notes
	candidates, err := validate(ctx, env, g, stage, in, goVersion, ans.Files, answer, u)
	if err != nil {
		return err
	}

	// Write what passed beside the code.
	var files []workspace.File
	for _, p := range sortedKeys(candidates) {
		files = append(files, workspace.File{Path: p, Content: candidates[p], Source: "model: " + answer})
	}
	res, err := svc.Write(files)
	if err != nil {
		return fmt.Errorf("write %s: %w", in.Spec.Dir, err)
	}
	u.Files = res.Changes
	keepPatch(env, out, "unit", res)
	return nil
}

// validate compiles each answered file with the ones accepted before it,
// with one repair, then runs them until green: what passed, by path.
func validate(ctx context.Context, env phase.Env, g gotool.Go, stage *stage, in Input, goVersion string, files []llm.AnswerFile, answer string, u *Unit) (map[string][]byte, error) {
	candidates := map[string][]byte{}
	for _, f := range files {
		if why := refuse(f.Path, in.Sources); why != "" {
			u.Refused = append(u.Refused, workspace.Refusal{Path: f.Path, Reason: why, Answer: answer})
			fmt.Fprintf(env.Log, "refused %q from %s: %s\n", f.Path, answer, why)
			_ = env.Art.Event("decision", map[string]any{"decision": "refuse-file", "path": f.Path, "reason": why, "answer": answer})
			continue
		}
		if err := compileOne(ctx, env, g, stage, in, goVersion, f, candidates, u); err != nil {
			return nil, err
		}
	}
	passedOnce, err := runUntilGreen(ctx, env, g, stage, candidates, u)
	if err != nil {
		return nil, err
	}
	tally(u, candidates, passedOnce)
	return candidates, nil
}

// compileOne vets one generated file with the ones accepted before it,
// gives it one repair, and accepts it into candidates or drops it whole.
func compileOne(ctx context.Context, env phase.Env, g gotool.Go, stage *stage, in Input, goVersion string, f llm.AnswerFile, candidates map[string][]byte, u *Unit) error {
	content := []byte(f.Content)
	names := testNames(content)
	u.Counts.Generated += len(names)
	srcRel := keepGenerated(env, f.Path, content)
	vet, err := stage.vet(ctx, g, candidates, f.Path, content)
	if err != nil {
		return err
	}
	if !vet.OK() {
		fmt.Fprintf(env.Log, "%s does not compile; one repair with the compiler output\n", f.Path)
		fixed, err := repair(ctx, env, in, goVersion, f.Path, content, gotool.Relative(vet.Output, stage.dir))
		if err != nil {
			return err
		}
		if fixed != nil {
			if vet, err = stage.vet(ctx, g, candidates, f.Path, fixed); err != nil {
				return err
			}
			if vet.OK() {
				u.Counts.Repaired++
				content, names, srcRel = fixed, testNames(fixed), keepGenerated(env, f.Path, fixed)
			}
		}
	}
	record(ctx, env, g, "go vet", "compile check of "+f.Path, "Every generated test file must compile before it runs; the compiler output feeds the one repair.")
	if !vet.OK() {
		log := writeLog(env, "compile-"+strings.TrimSuffix(path.Base(f.Path), ".go")+".txt", vet.Output)
		u.Dropped = append(u.Dropped, Dropped{Test: "*", File: f.Path, Reason: string(failure.CompileError), Output: log, Source: srcRel})
		u.Counts.Dropped += len(names)
		return nil
	}
	u.Counts.Compiled += len(names)
	candidates[f.Path] = content
	return nil
}

// runUntilGreen runs the candidates together and keeps out what fails,
// until what is left passes. It returns the tests that passed at least once.
func runUntilGreen(ctx context.Context, env phase.Env, g gotool.Go, stage *stage, candidates map[string][]byte, u *Unit) (map[string]bool, error) {
	passedOnce := map[string]bool{}
	for round := 1; len(candidates) > 0; round++ {
		rep, err := stage.test(ctx, g, candidates)
		if err != nil {
			return nil, err
		}
		record(ctx, env, g, "go test", fmt.Sprintf("validation run %d", round), "Each generated test is run before it is kept; a failing one is kept out with its output.")
		for _, t := range rep.Top() {
			if t.Action == "pass" {
				passedOnce[t.Test] = true
			}
		}
		failed := rep.Failed()
		if len(failed) == 0 && !strings.Contains(rep.Output, "FAIL") {
			u.CoverageAfter = coverage(rep)
			break
		}
		if len(failed) == 0 || round > 5 {
			log := writeLog(env, fmt.Sprintf("validation-%d.txt", round), rep.Output)
			return nil, &failure.Error{Class: failure.Unknown, Where: log,
				Message: "the generated unit tests fail outside any one test (a panic in init or TestMain?); none were kept"}
		}
		dropFailed(env, candidates, failed, u)
	}
	return passedOnce, nil
}

// dropFailed records each failed test and cuts it out of its file; a file
// with no test left, or that cannot be cut, goes.
func dropFailed(env phase.Env, candidates map[string][]byte, failed []gotool.TestResult, u *Unit) {
	byFile := map[string]map[string]bool{}
	for _, t := range failed {
		file := fileOf(candidates, t.Test)
		log := writeLog(env, "failed-"+t.Test+".txt", t.Output)
		u.Dropped = append(u.Dropped, Dropped{Test: t.Test, File: file, Reason: "failed", Output: log, Source: env.Art.Rel("generated/" + file)})
		u.Counts.Dropped++
		fmt.Fprintf(env.Log, "kept out %s (%s): it failed; output in %s\n", t.Test, file, log)
		if byFile[file] == nil {
			byFile[file] = map[string]bool{}
		}
		byFile[file][t.Test] = true
	}
	for file, drop := range byFile {
		pruned, left, err := prune(file, candidates[file], drop)
		if err != nil || left == 0 {
			delete(candidates, file)
			continue
		}
		candidates[file] = pruned
	}
}

// tally counts what was kept and what passed.
func tally(u *Unit, candidates map[string][]byte, passedOnce map[string]bool) {
	for _, content := range candidates {
		u.Kept = append(u.Kept, testNames(content)...)
	}
	sort.Strings(u.Kept)
	u.Counts.Kept = len(u.Kept)
	for _, name := range u.Kept {
		if passedOnce[name] {
			u.Counts.Passed++
		}
	}
	for _, d := range u.Dropped {
		if d.Reason == "failed" && passedOnce[d.Test] {
			u.Counts.Passed++
		}
	}
}

func ask(ctx context.Context, env phase.Env, in Input, goVersion string) (llm.FilesAnswer, string, error) {
	var ans llm.FilesAnswer
	p, err := UnitPrompt(in.Spec, goVersion, in.Sources)
	if err != nil {
		return ans, "", err
	}
	rep, err := llm.AskFor[llm.FilesAnswer](ctx, env.LLM, llm.Ask{Role: Role, Prompt: p, Schema: llm.FilesSchema, SchemaName: "files"})
	if err != nil {
		return ans, rep.Exchange.PromptFile(), err // the question, for a note when it had no answer
	}
	return rep.Answer, rep.Exchange.ResponseFile(), nil
}

// repair gives a test file that does not compile back to the role once. A
// nil result is an answer that did not return the file.
func repair(ctx context.Context, env phase.Env, in Input, goVersion, file string, content []byte, vetOut string) ([]byte, error) {
	p, err := RepairPrompt(goVersion, in.Sources, file, string(content), vetOut)
	if err != nil {
		return nil, err
	}
	rep, err := llm.AskFor[llm.FilesAnswer](ctx, env.LLM, llm.Ask{Role: Role, Prompt: p, Schema: llm.FilesSchema, SchemaName: "files"})
	if err != nil {
		return nil, err
	}
	for _, f := range rep.Answer.Files {
		if f.Path == file {
			return []byte(f.Content), nil
		}
	}
	fmt.Fprintf(env.Log, "the repair of %s did not return the file\n", file)
	return nil, nil
}

// refuse says why a file of the testgen answer is not used, or "".
func refuse(p string, sources []Source) string {
	if err := workspace.CheckPath(p); err != nil {
		return err.Error() + ": only files inside the service directory are written"
	}
	switch {
	case strings.Contains(p, "/"):
		return "unit tests sit beside the code, in the service's one flat package"
	case !strings.HasSuffix(p, "_test.go"):
		return "the testgen role writes only _test.go files"
	}
	for _, s := range sources {
		if s.Path == p {
			return "the path is a source file of the service"
		}
	}
	return ""
}

func keepPatch(env phase.Env, out *Output, name string, res workspace.Result) {
	for _, c := range res.HandEdited() {
		out.HandEdited = append(out.HandEdited, c.Path)
		fmt.Fprintf(env.Log, "kept %s: changed by hand since the last run; the new version is in %s (use --force to overwrite)\n", c.Path, c.Beside)
	}
	if res.Patch == "" {
		return
	}
	rel := fmt.Sprintf("diffs/%02d-%s.patch", len(out.Patches)+1, name)
	if _, err := env.Art.Write(rel, []byte(res.Patch)); err == nil {
		out.Patches = append(out.Patches, env.Art.Rel(rel))
	}
}

func keepGenerated(env phase.Env, file string, content []byte) string {
	_, _ = env.Art.Write("generated/"+file, content)
	return env.Art.Rel("generated/" + file)
}

func writeLog(env phase.Env, name, text string) string {
	_, _ = env.Art.Write("logs/"+name, []byte(text))
	return env.Art.Rel("logs/" + name)
}

func record(ctx context.Context, env phase.Env, g gotool.Go, tool, role, why string) {
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: phase.Testgen, Tool: tool, Version: g.Version(ctx), Role: role, Why: why})
}

func coverage(r gotool.Report) *float64 {
	for _, c := range r.Coverage {
		v := c
		return &v
	}
	z := 0.0
	return &z
}

func fileOf(files map[string][]byte, test string) string {
	for _, p := range sortedKeys(files) {
		for _, n := range testNames(files[p]) {
			if n == test {
				return p
			}
		}
	}
	return "?"
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
