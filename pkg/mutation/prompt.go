package mutation

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/mutate"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// PromptBytes bounds the existing tests a mutation.kill prompt shows, so
// the whole prompt fits a small local model's context.
const PromptBytes = 4 << 10

// killData is what prompts/mutation.kill.md is rendered from.
type killData struct {
	Name, GoVersion, Description    string
	Env                             []spec.EnvVar
	Operator, What, File, Func      string
	Line                            int
	Before, After, Diff, Code, Path string
	Names                           []string
	Tests                           []llm.AnswerFile
}

// KillPrompt is the mutation.kill prompt for one survivor: the mutant, its
// diff, the original file, the existing tests and the path to write.
func KillPrompt(s spec.Service, goVersion string, m Mutant, diff string, code []byte, tests []llm.AnswerFile, names []string, path string) (llm.Prompt, error) {
	pt, err := prompts.Load("mutation.kill")
	if err != nil {
		return llm.Prompt{}, err
	}
	what := ""
	for _, o := range mutate.Operators() {
		if o.Name == m.Operator {
			what = o.What
		}
	}
	return pt.Render(killData{Name: s.Name, GoVersion: goVersion, Description: strings.TrimSpace(s.Description), Env: s.Env,
		Operator: m.Operator, What: what, File: m.File, Func: m.Func, Line: m.Line, Before: m.Before, After: m.After,
		Diff: diff, Code: string(code), Path: path, Names: names, Tests: shrink(tests, PromptBytes)})
}

// existingTests reads the service's test files, those this phase wrote
// earlier aside, and the package-level names of every file.
func (b *bench) existingTests() ([]llm.AnswerFile, []string) {
	paths, _ := filepath.Glob(filepath.Join(b.svc, "*.go"))
	sort.Strings(paths)
	var tests []llm.AnswerFile
	seen := map[string]bool{}
	for _, p := range paths {
		name := filepath.Base(p)
		content, err := os.ReadFile(p)
		if err != nil || b.own[name] {
			continue
		}
		if strings.HasSuffix(name, "_test.go") {
			tests = append(tests, llm.AnswerFile{Path: name, Content: string(content)})
		}
		ns, _ := gosrc.Names(name, content)
		for _, n := range ns {
			seen[n] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return tests, names
}

// shrink keeps the test files whole while they fit limit bytes; past it,
// a file keeps its declarations in order while they fit, and names the
// tests left out.
func shrink(files []llm.AnswerFile, limit int) []llm.AnswerFile {
	var out []llm.AnswerFile
	left := limit
	for _, f := range files {
		if len(f.Content) <= left {
			out = append(out, f)
			left -= len(f.Content)
			continue
		}
		out = append(out, llm.AnswerFile{Path: f.Path, Content: cut(f.Content, left)})
		left = 0
	}
	return out
}

// cut keeps the head of a Go file up to the last declaration that ends
// within limit bytes, and lists the functions it leaves out.
func cut(src string, limit int) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x_test.go", src, parser.SkipObjectResolution)
	if err != nil {
		return src[:min(limit, len(src))]
	}
	end := 0
	var dropped []string
	for _, d := range f.Decls {
		if e := fset.Position(d.End()).Offset; e <= limit && len(dropped) == 0 {
			end = e
			continue
		}
		if fd, ok := d.(*ast.FuncDecl); ok {
			dropped = append(dropped, fd.Name.Name)
		}
	}
	if len(dropped) == 0 {
		return src
	}
	return src[:end] + fmt.Sprintf("\n\n// … %d more declarations not shown: %s\n", len(dropped), strings.Join(dropped, ", "))
}
