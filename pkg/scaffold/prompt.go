package scaffold

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/prompts"
	"github.com/orchestrate-dev/orchestrate/templates"
)

// Signature is the function the codegen role writes; the template's
// main.go calls it once at start-up.
const Signature = templates.RegisterSignature

// mainFacts is what the prompts say about the templates' Go files instead
// of showing them: read from the rendered files, never kept by hand.
type mainFacts struct {
	Names  []string // package-level names they declare: the model must not
	Served []string // ServeMux patterns they register: the model must not
}

func render(s spec.Service) ([]templates.File, error) {
	data, err := templates.DataFor(s)
	if err != nil {
		return nil, failure.Wrap(failure.ConfigError, err, "render the templates")
	}
	return templates.Render("service", data)
}

// factsOf parses the templates' Go files.
func factsOf(tmpl []templates.File) (mainFacts, error) {
	var f mainFacts
	for _, t := range tmpl {
		if path.Ext(t.Path) != ".go" {
			continue
		}
		names, err := gosrc.Names(t.Path, t.Content)
		if err != nil {
			return f, fmt.Errorf("%s: %w", t.Source, err)
		}
		pats, err := gosrc.Patterns(t.Path, t.Content)
		if err != nil {
			return f, fmt.Errorf("%s: %w", t.Source, err)
		}
		f.Names, f.Served = append(f.Names, names...), append(f.Served, pats...)
	}
	sort.Strings(f.Names)
	return f, nil
}

// CodegenPrompt is the scaffold.codegen prompt for a spec, as Run sends it.
func CodegenPrompt(s spec.Service) (llm.Prompt, error) {
	tmpl, err := render(s)
	if err != nil {
		return llm.Prompt{}, err
	}
	facts, err := factsOf(tmpl)
	if err != nil {
		return llm.Prompt{}, err
	}
	return codegenPrompt(s, facts)
}

func codegenPrompt(s spec.Service, facts mainFacts) (llm.Prompt, error) {
	pt, err := prompts.Load("scaffold.codegen")
	if err != nil {
		return llm.Prompt{}, err
	}
	served := map[string]bool{}
	for _, p := range facts.Served {
		served[p] = true
	}
	var write []spec.Endpoint
	var skipped []string
	for _, e := range s.Endpoints {
		if served[e.Key()] {
			skipped = append(skipped, e.Key())
			continue
		}
		write = append(write, e)
	}
	endpoints, err := spec.PromptExamples(write)
	if err != nil {
		return llm.Prompt{}, fmt.Errorf("service.endpoints: %w", err)
	}
	return pt.Render(codegenData{Name: s.Name, Module: s.Module, Port: s.Port, GoVersion: templates.GoVersion,
		Description: strings.TrimSpace(s.Description), Env: s.Env, Endpoints: endpoints, Skipped: skipped,
		Served: facts.Served, Reserved: facts.Names, Signature: Signature, BodyRule: s.Validation.Rule()})
}

// codegenData is what prompts/scaffold.codegen.md is rendered from.
type codegenData struct {
	Name, Module        string
	Port                int
	GoVersion           string
	Description         string
	Env                 []spec.EnvVar
	Endpoints           string   // the endpoints to write, with their examples
	Skipped             []string // endpoints main.go serves already
	Served, Reserved    []string
	Signature, BodyRule string
}

// repairData is what prompts/scaffold.repair.md is rendered from.
type repairData struct {
	BuildOutput string
	Files       []llm.AnswerFile
	GoVersion   string
	Reserved    []string
	Signature   string
}

// RepairPrompt is the scaffold.repair prompt for a spec's templates, the
// compiler's output and the model's files.
func RepairPrompt(s spec.Service, buildOutput string, files []llm.AnswerFile) (llm.Prompt, error) {
	tmpl, err := render(s)
	if err != nil {
		return llm.Prompt{}, err
	}
	facts, err := factsOf(tmpl)
	if err != nil {
		return llm.Prompt{}, err
	}
	return repairPrompt(facts, buildOutput, files)
}

func repairPrompt(facts mainFacts, buildOutput string, files []llm.AnswerFile) (llm.Prompt, error) {
	rt, err := prompts.Load("scaffold.repair")
	if err != nil {
		return llm.Prompt{}, err
	}
	return rt.Render(repairData{BuildOutput: buildOutput, Files: files, GoVersion: templates.GoVersion,
		Reserved: facts.Names, Signature: Signature})
}
