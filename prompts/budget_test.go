package prompts_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/diff"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/review"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
	"github.com/orchestrate-dev/orchestrate/templates"
)

// The prompts must fit a local model with an 8k context: the prompt and
// the longest answer the role may give share contextTokens.
const contextTokens = 8192

// budget is a role's share of the context: the prompt may take at most
// prompt tokens so that answer tokens are left for the answer.
type budget struct {
	prompt, answer int
}

// budgets, per prompt. Whole-file answers (codegen, testgen and their
// repairs) need the most room: the reference answers are about 3k tokens
// by the estimate below (handlers.go, handlers_test.go), so codegen keeps
// 4096 for a larger service and testgen, whose prompt must carry the
// service's code, keeps 3072 and asks for at most about 250 lines. The
// repairs answer the same files again. lint.fix and test.triage answer a
// few exact edits: 2048 (the reference config's triage max_tokens) leaves
// them 6144 for the prompt.
var budgets = map[string]budget{
	"scaffold.codegen": {prompt: 4096, answer: 4096},
	"scaffold.repair":  {prompt: 4096, answer: 4096},
	"testgen.unit":     {prompt: 5120, answer: 3072},
	"testgen.repair":   {prompt: 5120, answer: 3072},
	"lint.fix":         {prompt: 6144, answer: 2048},
	"test.triage":      {prompt: 6144, answer: 2048},
	"mutation.kill":    {prompt: 6144, answer: 2048},
	"review.risk":      {prompt: 6144, answer: 2048},
}

// tokens estimates what a prompt costs, conservatively: one token per
// three bytes of each message, plus 8 per message for the chat template's
// role markers. BPE tokenizers of current local code models (Qwen2.5,
// Llama 3: 128-152k vocabularies) average about 3.5 to 4 bytes per token
// on English and Go, so this overstates by 15-30%; a heuristic, not a
// tokenizer, chosen to err on the side of a prompt that fits.
func tokens(texts ...string) int {
	n := 0
	for _, s := range texts {
		n += (len(s)+2)/3 + 8
	}
	return n
}

// service is one spec with the code the prompts that carry code show.
type service struct {
	name     string
	spec     spec.Service
	goVer    string
	sources  []testgen.Source // non-test files, main.go included
	handlers string           // the code a codegen answer holds
	tests    string           // the unit tests a testgen answer holds
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadSpec(t *testing.T, p string) spec.Service {
	t.Helper()
	var f struct {
		Service spec.Service `yaml:"service"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, p)), &f); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if err := f.Service.Validate(); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return f.Service
}

// services are the reference spec with the committed service, and a spec
// of another domain with hand-written stand-ins for its code.
func services(t *testing.T) []service {
	ref := service{name: "deploy-notifier (reference)", spec: loadSpec(t, "../orchestrate.yaml"),
		goVer:    gosrc.GoDirective([]byte(readFile(t, "../service/go.mod"))),
		handlers: readFile(t, "../service/handlers.go"), tests: readFile(t, "../service/handlers_test.go")}
	ref.sources = []testgen.Source{{Path: "handlers.go", Content: ref.handlers}, {Path: "main.go", Content: readFile(t, "../service/main.go")}}

	dir := filepath.Join("testdata", "expense-policy")
	other := service{name: "expense-policy", spec: loadSpec(t, filepath.Join(dir, "spec.yaml")), goVer: templates.GoVersion,
		handlers: readFile(t, filepath.Join(dir, "handlers.go")), tests: readFile(t, filepath.Join(dir, "handlers_test.go"))}
	data, err := templates.DataFor(other.spec)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Render("service", data)
	if err != nil {
		t.Fatal(err)
	}
	other.sources = []testgen.Source{{Path: "handlers.go", Content: other.handlers}}
	for _, f := range tmpl {
		if f.Path == "main.go" {
			other.sources = append(other.sources, testgen.Source{Path: "main.go", Content: string(f.Content)})
		}
	}
	return []service{ref, other}
}

// decls are a file's top-level declarations, largest first.
type decl struct {
	from, to int
	src      string
}

func decls(t *testing.T, name, src string) []decl {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []decl
	for _, d := range f.Decls {
		if _, ok := d.(*ast.FuncDecl); !ok {
			continue
		}
		from, to := fset.Position(d.Pos()), fset.Position(d.End())
		out = append(out, decl{from.Line, to.Line, src[from.Offset:to.Offset] + "\n"})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].src) > len(out[j].src) })
	return out
}

// compilerOutput is a failed build of a realistic size.
func compilerOutput(file string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "./%s:%d:%d: undefined: helperNumber%d\n", file, 20*i, 9, i)
	}
	return b.String()
}

// render renders every prompt of every role for one service, with the
// largest inputs the phases send: the whole code, the largest declaration
// for lint.fix, test.triage at pkg/testrun's bounds.
func render(t *testing.T, s service) map[string]llm.Prompt {
	t.Helper()
	out := map[string]llm.Prompt{}
	add := func(name string, p llm.Prompt, err error) {
		if err != nil {
			t.Fatalf("%s for %s: %v", name, s.name, err)
		}
		out[name] = p
	}
	p, err := scaffold.CodegenPrompt(s.spec)
	add("scaffold.codegen", p, err)
	p, err = scaffold.RepairPrompt(s.spec, compilerOutput("handlers.go", 8), []llm.AnswerFile{{Path: "handlers.go", Content: s.handlers}})
	add("scaffold.repair", p, err)
	p, err = testgen.UnitPrompt(s.spec, s.goVer, s.sources)
	add("testgen.unit", p, err)
	p, err = testgen.RepairPrompt(s.goVer, s.sources, "handlers_test.go", s.tests, compilerOutput("handlers_test.go", 8))
	add("testgen.repair", p, err)
	big := decls(t, "handlers.go", s.handlers)[0]
	p, err = lint.FixPrompt([]byte(s.handlers), []lint.Finding{{Analyzer: "printf", Source: "vet", File: s.spec.Dir + "/handlers.go",
		Line: (big.from + big.to) / 2, Column: 3, Message: "fmt.Sprintf format %d has arg name of wrong type string"}}, s.goVer)
	add("lint.fix", p, err)
	p, err = triageQuestion(t, s)
	add("test.triage", p, err)
	p, err = reviewQuestion(s)
	add("review.risk", p, err)
	return out
}

// reviewQuestion renders review.risk at pkg/review's default bound: the
// service's handlers, added, cut to phases.review.prompt_bytes, with the
// functions around them as far as the bound allows.
func reviewQuestion(s service) (llm.Prompt, error) {
	limit := review.DefaultThresholds().PromptBytes
	src := s.handlers
	for len(src) > limit-256 {
		src = src[:strings.LastIndexByte(src[:len(src)-1], '\n')+1]
	}
	path := s.spec.Dir + "/handlers.go"
	patch, err := diff.File(path, nil, []byte(src))
	if err != nil {
		return llm.Prompt{}, err
	}
	c, err := review.ParsePatch("HEAD", patch)
	if err != nil {
		return llm.Prompt{}, err
	}
	read := func(string) ([]byte, error) { return []byte(s.handlers), nil }
	parts, ok := review.Parts(c, read, limit)
	if !ok || len(parts) == 0 {
		return llm.Prompt{}, fmt.Errorf("the cut handlers do not fit one question")
	}
	findings := []review.Finding{{Check: "gosec", Rule: "G104", Severity: review.Low, File: path, Line: 12, Message: "Errors unhandled (gosec G104, confidence high)"}}
	return review.Prompt(s.spec.Name, c, findings, parts[0], 1, 1)
}

// triageQuestion renders test.triage with pkg/testrun's own code, at its default
// budget: the service's handlers and tests in a workdir, and a cluster of
// failing subtests whose evidence fills the classifier's bound.
func triageQuestion(t *testing.T, s service) (llm.Prompt, error) {
	wd := t.TempDir()
	dir := filepath.Join(wd, s.spec.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return llm.Prompt{}, err
	}
	for name, src := range map[string]string{"handlers.go": s.handlers, "handlers_test.go": s.tests} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			return llm.Prompt{}, err
		}
	}
	test := decls(t, "handlers_test.go", s.tests)[0]
	name := strings.Fields(strings.TrimPrefix(test.src[strings.Index(test.src, "func "):], "func "))[0]
	name = name[:strings.Index(name, "(")]
	var fs []triage.Failure
	for i := range 6 {
		var ev []string
		for j := 0; j < 40; j++ {
			ev = append(ev, fmt.Sprintf("    handlers_test.go:%d: case %d: got status 422 {\"error\":\"amount_cents must be an integer > 0\"}, want 200", test.from+j, j))
		}
		fs = append(fs, triage.Failure{Class: failure.AssertionFailure, Owner: "code or test", Package: s.spec.Module,
			Test: fmt.Sprintf("%s/case_%d", name, i), File: s.spec.Dir + "/handlers_test.go", Line: test.from + 1,
			Message: "got status 422, want 200", Evidence: ev, Signature: fmt.Sprintf("assertion_failure|%d", i)})
	}
	return testrun.Question(wd, s.spec, fs, testrun.Settings.Default.(testrun.Config).PromptBytes)
}

// answer is what a whole-file answer of these files costs.
func answer(files map[string]string) int {
	a := llm.FilesAnswer{Notes: strings.Repeat("n", 200)}
	for p, c := range files {
		a.Files = append(a.Files, llm.AnswerFile{Path: p, Content: c})
	}
	b, _ := json.Marshal(a)
	return tokens(string(b))
}

func TestPromptsFitAnEightKContext(t *testing.T) {
	all, err := prompts.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range all {
		b, ok := budgets[tp.Name]
		if !ok {
			t.Errorf("prompt %s has no budget", tp.Name)
		} else if b.prompt+b.answer > contextTokens {
			t.Errorf("%s: prompt %d + answer %d > %d", tp.Name, b.prompt, b.answer, contextTokens)
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-17s %-28s %7s %7s %7s\n", "prompt", "spec", "tokens", "budget", "answer")
	for _, s := range services(t) {
		rendered := render(t, s)
		names := make([]string, 0, len(rendered))
		for n := range rendered {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p, b := rendered[n], budgets[n]
			got := tokens(p.System, p.User)
			mark := ""
			if got > b.prompt {
				mark = "  OVER"
				t.Errorf("%s for %s: about %d tokens, over its budget of %d (estimate: bytes/3 + 8 a message)", n, s.name, got, b.prompt)
			}
			fmt.Fprintf(&table, "%-17s %-28s %7d %7d %7d%s\n", n, s.name, got, b.prompt, b.answer, mark)
		}
		// The answers the reserves are sized for fit them.
		for _, ra := range []struct {
			role string
			a    int
		}{{"scaffold.codegen", answer(map[string]string{"handlers.go": s.handlers})},
			{"testgen.unit", answer(map[string]string{"handlers_test.go": s.tests})}} {
			role, a := ra.role, ra.a
			if a > budgets[role].answer {
				t.Errorf("a %s answer for %s is about %d tokens, over the %d kept for it", role, s.name, a, budgets[role].answer)
			}
			fmt.Fprintf(&table, "%-17s %-28s %7d %7s %7d  (the answer)\n", role, s.name, a, "", budgets[role].answer)
		}
	}
	t.Log(table.String())
}
