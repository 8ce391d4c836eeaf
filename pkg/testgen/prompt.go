package testgen

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/prompts"
	"github.com/orchestrate-dev/orchestrate/templates"
)

// moduleGo is the go directive of the service's go.mod, or the one the
// templates write when it cannot be read.
func moduleGo(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if v := gosrc.GoDirective(b); err == nil && v != "" {
		return v
	}
	return templates.GoVersion
}

// packageNames lists the package-level names the service's files declare;
// a file that does not parse gives none.
func packageNames(sources []Source) []string {
	seen := map[string]bool{}
	for _, s := range sources {
		names, _ := gosrc.Names(s.Path, []byte(s.Content))
		for _, n := range names {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// UnitPrompt is the testgen.unit prompt, as the phase sends it: the
// spec, the service's Go version, and its files (the templates' ones
// named, not shown).
func UnitPrompt(s spec.Service, goVersion string, sources []Source) (llm.Prompt, error) {
	pt, err := prompts.Load("testgen.unit")
	if err != nil {
		return llm.Prompt{}, err
	}
	data, err := templates.DataFor(s)
	if err != nil {
		return llm.Prompt{}, err
	}
	tmpl, err := templates.Render("service", data)
	if err != nil {
		return llm.Prompt{}, err
	}
	fromTemplate, served := map[string]bool{}, map[string]bool{}
	for _, f := range tmpl {
		fromTemplate[f.Path] = true
		if path.Ext(f.Path) == ".go" {
			pats, _ := gosrc.Patterns(f.Path, f.Content)
			for _, p := range pats {
				served[p] = true
			}
		}
	}
	var shown []llm.AnswerFile
	var hidden []string
	for _, src := range sources {
		if fromTemplate[src.Path] {
			hidden = append(hidden, src.Path)
			continue
		}
		shown = append(shown, llm.AnswerFile{Path: src.Path, Content: src.Content})
	}
	var eps []spec.Endpoint
	var skipped []string
	for _, e := range s.Endpoints {
		if served[e.Key()] {
			skipped = append(skipped, e.Key())
			continue
		}
		eps = append(eps, e)
	}
	return pt.Render(unitData{Name: s.Name, GoVersion: goVersion, Description: strings.TrimSpace(s.Description),
		Env: s.Env, BodyRule: s.Validation.Rule(), Endpoints: spec.PromptCoverage(eps), Skipped: skipped,
		Files: shown, Hidden: hidden, Names: packageNames(sources)})
}

// unitData is what prompts/testgen.unit.md is rendered from.
type unitData struct {
	Name, GoVersion, Description string
	Env                          []spec.EnvVar
	BodyRule, Endpoints          string
	Skipped                      []string
	Files                        []llm.AnswerFile // the code shown
	Hidden                       []string         // files named, not shown
	Names                        []string         // the package's names, not to reuse
}

// repairData is what prompts/testgen.repair.md is rendered from.
type repairData struct {
	Path, Content, BuildOutput, GoVersion string
	Names                                 []string
}

// RepairPrompt is the testgen.repair prompt for one test file that did
// not compile.
func RepairPrompt(goVersion string, sources []Source, file, content, vetOut string) (llm.Prompt, error) {
	pt, err := prompts.Load("testgen.repair")
	if err != nil {
		return llm.Prompt{}, err
	}
	return pt.Render(repairData{Path: file, Content: content, BuildOutput: vetOut,
		GoVersion: goVersion, Names: packageNames(sources)})
}
