// Package scaffold is the first phase: it turns the service spec into a
// service that compiles. Deterministic templates lay down what never needs a
// model (go.mod, main.go, Dockerfile, compose.yaml); the codegen role writes
// the handlers and logic as whole files; the orchestrator checks their
// paths, writes them without losing hand edits, stores the diff and builds
// the result, giving a compile failure back to the model once.
package scaffold

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
	"github.com/orchestrate-dev/orchestrate/templates"
)

// Role is the LLM role that writes the handlers.
const Role = "codegen"

// Input of the scaffold phase.
type Input struct {
	Spec    spec.Service `json:"spec"`
	Workdir string       `json:"-"` // absolute; kept out of input.json so the hash does not depend on the checkout
	Force   bool         `json:"force"`
	Go      gotool.Go    `json:"-"`
}

// Output of the scaffold phase.
type Output struct {
	Dir        string              `json:"dir"` // the service directory, relative to the workdir
	Files      []workspace.Change  `json:"files"`
	HandEdited []string            `json:"hand_edited,omitempty"` // kept; the new version is beside each
	Refused    []workspace.Refusal `json:"refused,omitempty"`
	Patches    []string            `json:"patches"` // in the run directory, in the order they were applied
	Build      Build               `json:"build"`
	Notes      string              `json:"notes,omitempty"` // the model's design notes
}

// Build is the compile check.
type Build struct {
	OK       bool     `json:"ok"`
	Attempts int      `json:"attempts"`
	Logs     []string `json:"logs,omitempty"` // compiler output of failed attempts, relative to the run directory
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{Dir: in.Spec.Dir}
	if env.LLM == nil {
		return out, failure.New(failure.ConfigError, "scaffold needs the %s role: configure llm.roles.%s", Role, Role)
	}
	tmpl, err := render(in.Spec)
	if err != nil {
		return out, err
	}
	facts, err := factsOf(tmpl)
	if err != nil {
		return out, err
	}
	owned := map[string]bool{}
	for _, f := range tmpl {
		owned[f.Path] = true
	}
	dir := workspace.Dir{Workdir: in.Workdir, Rel: in.Spec.Dir, Phase: "scaffold", Force: in.Force}
	g := in.Go.Or(env.Log, nil)

	// Ask for the handlers.
	prompt, err := codegenPrompt(in.Spec, facts)
	if err != nil {
		return out, err
	}
	rep, err := llm.AskFor[llm.FilesAnswer](ctx, env.LLM, llm.Ask{Role: Role, Prompt: prompt, Schema: llm.FilesSchema, SchemaName: "files"})
	if err != nil {
		return out, err
	}
	ans, answer := rep.Answer, rep.Exchange.ResponseFile()

	for attempt := 1; ; attempt++ {
		mine, err := writeAnswer(env, dir, tmpl, owned, ans, answer, attempt, &out)
		if err != nil {
			return out, err
		}
		// Compile.
		out.Build.Attempts = attempt
		r, err := build(ctx, env, g, dir.Abs(), in.Spec.Name)
		if err != nil {
			return out, err
		}
		if r.OK() {
			out.Build.OK = true
			return out, nil
		}
		logName := fmt.Sprintf("logs/build-%d.txt", attempt)
		_, _ = env.Art.Write(logName, []byte(r.Output))
		out.Build.Logs = append(out.Build.Logs, env.Art.Rel(logName))
		if attempt == 2 {
			return out, &failure.Error{Class: compileClass(r.Output), Where: env.Art.Rel(logName),
				Message: fmt.Sprintf("the generated service does not compile after one repair: %s", gotool.FirstError(r.Output))}
		}
		fmt.Fprintf(env.Log, "build failed; giving the compiler output to the %s role once\n", Role)
		if ans, answer, err = askRepair(ctx, env, facts, gotool.Relative(r.Output, dir.Abs()), mine); err != nil {
			return out, unrepaired(err, r.Output, env.Art.Rel(logName))
		}
	}
}

// writeAnswer writes the templates and the answer's files that are not
// refused, keeps the patch, and returns the files it took from the answer.
func writeAnswer(env phase.Env, dir workspace.Dir, tmpl []templates.File, owned map[string]bool, ans llm.FilesAnswer, answer string, attempt int, out *Output) ([]llm.AnswerFile, error) {
	out.Notes = ans.Notes
	files := tmplFiles(tmpl)
	var mine []llm.AnswerFile
	for _, f := range ans.Files {
		if why := refuse(f.Path, owned); why != "" {
			out.Refused = append(out.Refused, workspace.Refusal{Path: f.Path, Reason: why, Answer: answer})
			fmt.Fprintf(env.Log, "refused %q from %s: %s\n", f.Path, answer, why)
			_ = env.Art.Event("decision", map[string]any{"decision": "refuse-file", "path": f.Path, "reason": why, "answer": answer})
			continue
		}
		mine = append(mine, f)
		files = append(files, workspace.File{Path: f.Path, Content: []byte(f.Content), Source: "model: " + answer})
	}
	res, err := dir.Write(files)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir.Rel, err)
	}
	out.Files, out.HandEdited = res.Changes, nil
	for _, c := range res.HandEdited() {
		out.HandEdited = append(out.HandEdited, c.Path)
		fmt.Fprintf(env.Log, "kept %s: changed by hand since the last run; the new version is in %s (use --force to overwrite)\n", c.Path, c.Beside)
	}
	if res.Patch != "" {
		name := fmt.Sprintf("diffs/%02d-%s.patch", len(out.Patches)+1, map[bool]string{true: "codegen", false: "repair"}[attempt == 1])
		if _, err := env.Art.Write(name, []byte(res.Patch)); err != nil {
			return nil, err
		}
		out.Patches = append(out.Patches, env.Art.Rel(name))
	}
	return mine, nil
}

// unrepaired is the build failure itself when an offline run has no
// recorded repair for it (the code was edited by hand since the answers
// were recorded): the run fails because the code does not compile, not
// because of the cache.
func unrepaired(err error, buildOutput, where string) error {
	if !errors.Is(err, llm.ErrNoRecordedAnswer) {
		return err
	}
	return &failure.Error{Class: compileClass(buildOutput), Where: where,
		Message: fmt.Sprintf("the service does not compile: %s (offline, and no repair is recorded for this code)", gotool.FirstError(buildOutput))}
}

// askRepair gives the compiler's output and the model's own files back to
// the role once.
func askRepair(ctx context.Context, env phase.Env, facts mainFacts, buildOutput string, mine []llm.AnswerFile) (llm.FilesAnswer, string, error) {
	var ans llm.FilesAnswer
	rp, err := repairPrompt(facts, buildOutput, mine)
	if err != nil {
		return ans, "", err
	}
	rep, err := llm.AskFor[llm.FilesAnswer](ctx, env.LLM, llm.Ask{Role: Role, Prompt: rp, Schema: llm.FilesSchema, SchemaName: "files"})
	if err != nil {
		return ans, "", err
	}
	return rep.Answer, rep.Exchange.ResponseFile(), nil
}

func tmplFiles(tmpl []templates.File) []workspace.File {
	out := make([]workspace.File, 0, len(tmpl))
	for _, f := range tmpl {
		out = append(out, workspace.File{Path: f.Path, Content: f.Content, Source: f.Source})
	}
	return out
}

// refuse says why a file of the codegen answer is not written, or "".
func refuse(p string, owned map[string]bool) string {
	if err := workspace.CheckPath(p); err != nil {
		return err.Error() + ": only files inside the service directory are written"
	}
	switch {
	case strings.Contains(p, "/"):
		return "the service is one flat package main; subdirectories are not accepted"
	case path.Ext(p) != ".go":
		return "only .go files are accepted from the codegen role"
	case strings.HasSuffix(p, "_test.go"):
		return "tests are the testgen phase's"
	case owned[p]:
		return "the file comes from a template"
	}
	return ""
}

// build compiles the service into a throw-away directory.
func build(ctx context.Context, env phase.Env, g gotool.Go, dir, name string) (gotool.Result, error) {
	tmp, err := os.MkdirTemp("", "orchestrate-build-*")
	if err != nil {
		return gotool.Result{}, err
	}
	defer os.RemoveAll(tmp)
	r, err := g.Run(ctx, dir, "build", "-trimpath", "-o", filepath.Join(tmp, name), ".")
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: phase.Scaffold, Tool: "go build", Version: g.Version(ctx),
		Role: "compile check", Why: "The generated service must compile before anything else looks at it; the compiler's output is what a repair needs."})
	if err != nil {
		return r, failure.Wrap(failure.CompileError, err, "run go build")
	}
	return r, nil
}

// compileClass tells a missing module from a compile error.
func compileClass(out string) failure.Class {
	switch {
	case strings.Contains(out, "no required module provides package"), strings.Contains(out, "missing go.sum entry"):
		return failure.MissingDependency
	case strings.Contains(out, "imported and not used"):
		return failure.ImportError
	}
	return failure.CompileError
}
