package change

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"path"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// Policy is DESIGN.md's policy for automatic changes.
type Policy struct {
	// Dirs are the directories, relative to the workdir, a change may touch.
	Dirs []string `json:"dirs"`
	// Protected are directories never changed automatically: the
	// spec-derived acceptance tests.
	Protected []string `json:"protected,omitempty"`
	// MaxLines bounds the changed lines (added plus removed) of one change.
	MaxLines int `json:"max_lines"`
	// TestEdits allows a change to a test file. Lint fixes may touch tests;
	// remediation only when triage says the test itself is wrong.
	TestEdits bool `json:"test_edits"`
}

// Rules a refusal names.
const (
	RulePath      = "path"
	RuleProtected = "protected"
	RuleSize      = "size"
	RuleTestEdit  = "test-edit"
	RuleAssertion = "assertion"
	RuleSkip      = "skip"
	RuleTestGone  = "test-removed"
	RuleSyntax    = "syntax"
)

// Refusal is one reason a change may not be applied.
type Refusal struct {
	Path   string `json:"path,omitempty"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

func (r Refusal) String() string {
	if r.Path == "" {
		return r.Rule + ": " + r.Reason
	}
	return fmt.Sprintf("%s: %s: %s", r.Path, r.Rule, r.Reason)
}

// Check lists everything the policy refuses in a change; none means it
// may be applied.
func (p Policy) Check(s Set) []Refusal {
	var out []Refusal
	for _, f := range s.Files {
		if err := workspace.CheckPath(f.Path); err != nil {
			out = append(out, Refusal{f.Path, RulePath, err.Error()})
			continue
		}
		if !under(f.Path, p.Dirs) {
			out = append(out, Refusal{f.Path, RulePath, fmt.Sprintf("only files under %s may change", strings.Join(p.Dirs, ", "))})
			continue
		}
		if under(f.Path, p.Protected) {
			out = append(out, Refusal{f.Path, RuleProtected, "the acceptance tests are derived from the spec and are never changed automatically; change the spec instead"})
			continue
		}
		if !strings.HasSuffix(f.Path, "_test.go") {
			continue
		}
		if !p.TestEdits {
			out = append(out, Refusal{f.Path, RuleTestEdit, "a test file may change only when triage says the test itself is wrong"})
			continue
		}
		out = append(out, honest(f)...)
	}
	if p.MaxLines > 0 {
		if n := s.Lines(); n > p.MaxLines {
			out = append(out, Refusal{"", RuleSize, fmt.Sprintf("%d changed lines; the limit per patch is %d (policy.max_lines_per_patch)", n, p.MaxLines)})
		}
	}
	return out
}

// Explain says why a change was refused, in one line.
func Explain(rs []Refusal) string {
	s := make([]string, 0, len(rs))
	for _, r := range rs {
		s = append(s, r.String())
	}
	return "refused by the change policy: " + strings.Join(s, "; ")
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		d = strings.Trim(path.Clean(d), "/")
		if d == "." || p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// honest refuses a test file change that removes or alters an assertion,
// adds a skip, or removes a test.
func honest(f File) []Refusal {
	var out []Refusal
	before, err := scan(f.Before)
	if err != nil {
		return nil // the old file did not parse: nothing to weaken
	}
	if f.After == nil {
		return []Refusal{{f.Path, RuleTestGone, "deletes a test file"}}
	}
	after, err := scan(f.After)
	if err != nil {
		return []Refusal{{f.Path, RuleSyntax, "the new test file does not parse: " + err.Error()}}
	}
	left := map[string]int{}
	for _, a := range after.asserts {
		left[a]++
	}
	for _, a := range before.asserts {
		if left[a] > 0 {
			left[a]--
			continue
		}
		out = append(out, Refusal{f.Path, RuleAssertion, fmt.Sprintf("removes or changes the assertion %q", a)})
	}
	if after.skips > before.skips {
		out = append(out, Refusal{f.Path, RuleSkip, "adds a t.Skip"})
	}
	for name := range before.tests {
		if !after.tests[name] {
			out = append(out, Refusal{f.Path, RuleTestGone, "removes " + name})
		}
	}
	return out
}

type testFile struct {
	asserts []string // each assertion: its guarding condition and the call
	skips   int
	tests   map[string]bool
}

var failCalls = map[string]bool{"Error": true, "Errorf": true, "Fatal": true, "Fatalf": true, "Fail": true, "FailNow": true}

func scan(src []byte) (testFile, error) {
	tf := testFile{tests: map[string]bool{}}
	if src == nil {
		return tf, nil
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "x_test.go", src, 0)
	if err != nil {
		return tf, err
	}
	text := func(n ast.Node) string {
		var b bytes.Buffer
		_ = printer.Fprint(&b, fset, n)
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && (strings.HasPrefix(fn.Name.Name, "Test") || strings.HasPrefix(fn.Name.Name, "Fuzz")) {
			tf.tests[fn.Name.Name] = true
		}
	}
	var conds []string
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt:
			if n.Init != nil {
				ast.Inspect(n.Init, walk)
			}
			conds = append(conds, text(n.Cond))
			ast.Inspect(n.Body, walk)
			conds = conds[:len(conds)-1]
			if n.Else != nil {
				conds = append(conds, "!("+text(n.Cond)+")")
				ast.Inspect(n.Else, walk)
				conds = conds[:len(conds)-1]
			}
			return false
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && (x.Name == "assert" || x.Name == "require") {
				tf.asserts = append(tf.asserts, text(n))
				return true
			}
			switch {
			case failCalls[sel.Sel.Name]:
				a := text(n)
				if len(conds) > 0 {
					a = "if " + strings.Join(conds, " && ") + " { " + a + " }"
				}
				tf.asserts = append(tf.asserts, a)
			case sel.Sel.Name == "Skip" || sel.Sel.Name == "Skipf" || sel.Sel.Name == "SkipNow":
				tf.skips++
			}
		}
		return true
	}
	ast.Inspect(file, walk)
	return tf, nil
}
