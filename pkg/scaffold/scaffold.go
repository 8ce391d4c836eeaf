// Package scaffold is the first phase: it turns the service spec into a
// service that compiles. Deterministic templates lay down what never needs a
// model (go.mod, main.go, Dockerfile, compose.yaml); the codegen role writes
// the handlers and logic as whole files; the orchestrator checks their
// paths, writes them without losing hand edits, stores the diff and builds
// the result, giving a compile failure back to the model once.
package scaffold

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
	"github.com/orchestrate-dev/orchestrate/prompts"
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
	data, err := templates.DataFor(in.Spec)
	if err != nil {
		return out, failure.Wrap(failure.ConfigError, err, "render the templates")
	}
	tmpl, err := templates.Render("service", data)
	if err != nil {
		return out, err
	}
	owned := map[string]bool{}
	var mainGo string
	for _, f := range tmpl {
		owned[f.Path] = true
		if f.Path == "main.go" {
			mainGo = string(f.Content)
		}
	}
	dir := workspace.Dir{Workdir: in.Workdir, Rel: in.Spec.Dir, Phase: "scaffold", Force: in.Force}
	g := in.Go.Or(env.Log, nil)

	// Ask for the handlers.
	pt, err := prompts.Load("scaffold.codegen")
	if err != nil {
		return out, err
	}
	endpoints, err := yaml.Marshal(in.Spec.Endpoints)
	if err != nil {
		return out, err
	}
	prompt, err := pt.Render(map[string]any{"Name": in.Spec.Name, "Module": in.Spec.Module, "Port": in.Spec.Port,
		"Description": strings.TrimSpace(in.Spec.Description), "Env": in.Spec.Env, "Endpoints": string(endpoints), "MainGo": mainGo})
	if err != nil {
		return out, err
	}
	var ans llm.FilesAnswer
	if err := env.LLM.Ask(ctx, llm.Ask{Role: Role, Prompt: prompt, Schema: llm.FilesSchema, SchemaName: "files"}, &ans); err != nil {
		return out, err
	}
	answer := env.LLM.Last()

	for attempt := 1; ; attempt++ {
		out.Notes = ans.Notes
		files := tmplFiles(tmpl)
		for _, f := range ans.Files {
			if why := refuse(f.Path, owned); why != "" {
				out.Refused = append(out.Refused, workspace.Refusal{Path: f.Path, Reason: why, Answer: answer})
				fmt.Fprintf(env.Log, "refused %q from %s: %s\n", f.Path, answer, why)
				_ = env.Art.Event("decision", map[string]any{"decision": "refuse-file", "path": f.Path, "reason": why, "answer": answer})
				continue
			}
			files = append(files, workspace.File{Path: f.Path, Content: []byte(f.Content), Source: "model: " + answer})
		}
		res, err := dir.Write(files)
		if err != nil {
			return out, fmt.Errorf("write %s: %w", in.Spec.Dir, err)
		}
		out.Files, out.HandEdited = res.Changes, nil
		for _, c := range res.HandEdited() {
			out.HandEdited = append(out.HandEdited, c.Path)
			fmt.Fprintf(env.Log, "kept %s: changed by hand since the last run; the new version is in %s (use --force to overwrite)\n", c.Path, c.Beside)
		}
		if res.Patch != "" {
			name := fmt.Sprintf("diffs/%02d-%s.patch", len(out.Patches)+1, map[bool]string{true: "codegen", false: "repair"}[attempt == 1])
			if _, err := env.Art.Write(name, []byte(res.Patch)); err != nil {
				return out, err
			}
			out.Patches = append(out.Patches, env.Art.Rel(name))
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

		// One repair with the compiler's output.
		rt, err := prompts.Load("scaffold.repair")
		if err != nil {
			return out, err
		}
		var mine []llm.AnswerFile
		for _, f := range ans.Files {
			if refuse(f.Path, owned) == "" {
				mine = append(mine, f)
			}
		}
		rp, err := rt.Render(map[string]any{"BuildOutput": gotool.Relative(r.Output, dir.Abs()), "Files": mine})
		if err != nil {
			return out, err
		}
		ans = llm.FilesAnswer{}
		if err := env.LLM.Ask(ctx, llm.Ask{Role: Role, Prompt: rp, Schema: llm.FilesSchema, SchemaName: "files"}, &ans); err != nil {
			return out, err
		}
		answer = env.LLM.Last()
	}
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
