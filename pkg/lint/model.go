package lint

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// FixAnswer is the fixer role's answer: exact edits, or a reason a human
// must decide.
type FixAnswer struct {
	Edits      []FixEdit `json:"edits"`
	Reason     string    `json:"reason"`
	Safe       string    `json:"safe,omitempty"`
	NeedsHuman bool      `json:"needs_human,omitempty"`
}

// FixEdit is one edit of a fix: like change.Edit, but a fix must name
// the file and the text it replaces.
type FixEdit struct {
	Path string `json:"path" schema:"minLength=1"`
	Old  string `json:"old" schema:"minLength=1"`
	New  string `json:"new"`
}

// FixSchema is the JSON Schema of FixAnswer.
var FixSchema = llm.SchemaOf[FixAnswer]()

// edits are a fix's edits as changes.
func (a FixAnswer) edits() []change.Edit {
	es := make([]change.Edit, len(a.Edits))
	for i, e := range a.Edits {
		es[i] = change.Edit(e)
	}
	return es
}

// model sends what the analyzers could not fix to the fixer role, one
// place (file and line) at a time, at most MaxModel places per run.
func (r *runner) model(ctx context.Context, m Module, dir string, cur snapshot, pol change.Policy) (snapshot, error) {
	if r.in.MaxModel <= 0 || r.out.ModelErr != "" {
		return cur, nil
	}
	if r.env.LLM == nil {
		if len(cur.all()) > 0 {
			fmt.Fprintf(r.env.Log, "%s: %d finding(s) left and no %s role configured: they are reported, not fixed\n", m.Dir, len(cur.all()), Role)
		}
		return cur, nil
	}
	goVersion := moduleGo(dir)
	tried := map[string]bool{}
	for {
		if r.asked >= r.in.MaxModel {
			if n := len(cur.all()); n > 0 {
				fmt.Fprintf(r.env.Log, "%s: %d finding(s) left; phases.lint.model_fixes (%d) reached\n", m.Dir, n, r.in.MaxModel)
			}
			return cur, nil
		}
		group := nextPlace(cur.all(), tried)
		if len(group) == 0 {
			return cur, nil
		}
		tried[place(group[0])] = true
		src, err := os.ReadFile(group[0].abs)
		if err != nil {
			fmt.Fprintf(r.env.Log, "%s: no context for %s: %v\n", m.Dir, group[0], err)
			continue
		}
		prompt, err := FixPrompt(src, group, goVersion)
		if err != nil {
			return cur, err
		}
		next, stop, err := r.askFix(ctx, m, dir, cur, pol, group[0], prompt)
		if err != nil || stop {
			return next, err
		}
		cur = next
	}
}

// askFix asks the fixer role about one place and keeps its edits if they
// pass the policy and the verification. stop is true when the role failed:
// the findings left are then reported, not fixed.
func (r *runner) askFix(ctx context.Context, m Module, dir string, cur snapshot, pol change.Policy, first Finding, prompt llm.Prompt) (snapshot, bool, error) {
	r.asked++
	rep, err := llm.AskFor[FixAnswer](ctx, r.env.LLM, llm.Ask{Role: Role, Prompt: prompt, Schema: FixSchema, SchemaName: "fix"})
	ans, ex := rep.Answer, rep.Exchange
	promptFile, resp := ex.PromptFile(), ex.ResponseFile()
	if err != nil {
		if ctx.Err() != nil {
			return cur, true, ctx.Err()
		}
		r.out.ModelErr = err.Error()
		fmt.Fprintf(r.env.Log, "%s: the %s role failed (%v); the findings left are reported, not fixed\n", m.Dir, Role, err)
		return cur, true, nil
	}
	fixer := "model " + ex.AnsweredBy() + " (" + Role + " role)"
	reject := func(status, why string, set change.Set, after Counts) (snapshot, bool, error) {
		r.reject(m, first, "model", fixer, status, why, set, cur.counts(), after, promptFile, resp)
		return cur, false, nil
	}
	if ans.NeedsHuman || len(ans.Edits) == 0 {
		return reject(Proposal, "the model says a human must decide: "+ans.Reason, change.Set{}, cur.counts())
	}
	set, err := buildFix(r.in.Workdir, ans.edits())
	if err != nil {
		return reject(Invalid, "the answer's edits do not apply: "+err.Error(), change.Set{}, cur.counts())
	}
	if refusals := pol.Check(set); len(refusals) > 0 {
		return reject(Refused, change.Explain(refusals)+"; kept as a proposal for a human", set, cur.counts())
	}
	if err := r.apply(set); err != nil {
		return cur, true, err
	}
	next, err := r.analyze(ctx, dir)
	if err != nil {
		return cur, true, err
	}
	if next.better(cur) && gone([]Finding{first}, cur, next) {
		safe := strings.TrimSpace(ans.Safe)
		if safe == "" {
			safe = strings.TrimSpace(ans.Reason)
		}
		r.applied(m, first, "model", fixer, safe+" Verified: the module and its tests type-check and the finding is gone.", set, cur.counts(), next.counts(), promptFile, resp)
		fmt.Fprintf(r.env.Log, "%s: model fix for %s kept: %d -> %d finding(s)\n", m.Dir, first, len(cur.all()), len(next.all()))
		return next, false, nil
	}
	if err := set.Revert(r.in.Workdir); err != nil {
		return cur, true, err
	}
	return reject(Reverted, verifyText(cur, next), set, next.counts())
}

func place(f Finding) string { return fmt.Sprintf("%s:%d", f.File, f.Line) }

// nextPlace is the first place (file and line) not tried yet, with every
// finding there: two analyzers often report the same problem.
func nextPlace(all []Finding, tried map[string]bool) []Finding {
	var out []Finding
	for _, f := range all {
		if f.Source == "golangci-lint" || f.abs == "" || f.Line == 0 {
			continue
		}
		if tried[place(f)] {
			continue
		}
		if len(out) > 0 && place(f) != place(out[0]) {
			break
		}
		out = append(out, f)
	}
	return out
}

type snippet struct {
	imports  string
	decl     string
	from, to int
}

// contextOf is what the fixer sees of a file: its import block and the
// declaration around the line (or twenty lines around it, outside any),
// each line numbered in a gutter ("69| ").
func contextOf(name string, src []byte, line int) snippet {
	lines := strings.SplitAfter(string(src), "\n")
	width := len(fmt.Sprint(len(lines)))
	cut := func(from, to int) string {
		from, to = max(from, 1), min(to, len(lines))
		var b strings.Builder
		for n := from; n <= to; n++ {
			fmt.Fprintf(&b, "%*d| %s", width, n, lines[n-1])
		}
		return b.String()
	}
	fset := token.NewFileSet()
	file, _ := parser.ParseFile(fset, name, src, parser.ParseComments|parser.AllErrors) // a partial file still has its declarations
	var sn snippet
	if file != nil {
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
				sn.imports += cut(fset.Position(g.Pos()).Line, fset.Position(g.End()).Line)
			}
			from, to := fset.Position(d.Pos()).Line, fset.Position(d.End()).Line
			if doc := docOf(d); doc != nil {
				from = fset.Position(doc.Pos()).Line
			}
			if line >= from && line <= to && sn.decl == "" {
				sn.decl, sn.from, sn.to = cut(from, to), from, min(to, len(lines))
			}
		}
	}
	if sn.imports == "" {
		sn.imports = "(no imports)\n"
	}
	if sn.decl == "" {
		sn.from, sn.to = max(line-10, 1), min(line+10, len(lines))
		sn.decl = cut(sn.from, sn.to)
	}
	if !strings.HasSuffix(sn.decl, "\n") {
		sn.decl += "\n"
	}
	if !strings.HasSuffix(sn.imports, "\n") {
		sn.imports += "\n"
	}
	return sn
}

func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}
