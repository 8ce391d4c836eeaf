package mutate

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func apply(src []byte, e edit) []byte {
	out := make([]byte, 0, len(src)+len(e.text))
	out = append(out, src[:e.start]...)
	out = append(out, e.text...)
	return append(out, src[e.end:]...)
}

// candidate is a site before it is verified: found from the syntax alone,
// so Mutate finds the same candidates, with the same ids, that Sites did.
type candidate struct {
	op            string
	id            string
	line, col     int
	fn            ast.Node // the innermost enclosing *ast.FuncDecl or *ast.FuncLit, or nil
	funcName      string
	node          ast.Node // what the operator changes, for the checks that need types
	edit          edit
	before, after string
	detail        string // the added import's path, for unused-import
}

// fileCtx is one file and what the operators need to know about it.
type fileCtx struct {
	rel        string // relative to the workdir, forward slashes
	src        []byte
	file       *ast.File
	fset       *token.FileSet
	tf         *token.File
	http, time string          // the local names of net/http and time; "" when not imported
	pkgNames   map[string]bool // the names declared at package scope, in any file of the package
	funcNames  map[ast.Node]string
}

func newFileCtx(rel string, src []byte, f *ast.File, fset *token.FileSet, pkgNames map[string]bool) *fileCtx {
	fc := &fileCtx{rel: rel, src: src, file: f, fset: fset, tf: fset.File(f.FileStart), pkgNames: pkgNames, funcNames: funcNames(f)}
	fc.http = importName(f, "net/http")
	fc.time = importName(f, "time")
	return fc
}

func (fc *fileCtx) off(p token.Pos) int { return fc.tf.Offset(p) }

// cand makes a candidate at pos; stack is the traversal stack, for the
// enclosing function.
func (fc *fileCtx) cand(op string, pos token.Pos, stack []ast.Node, node ast.Node, e edit) candidate {
	// Unadjusted: a //line directive must not move a site off its bytes.
	p := fc.fset.PositionFor(pos, false)
	c := candidate{op: op, line: p.Line, col: p.Column, node: node, edit: e}
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			c.fn = stack[i]
			c.funcName = fc.funcNames[c.fn]
		}
		if c.fn != nil {
			break
		}
	}
	c.before, c.after = snippets(fc.src, e)
	return c
}

// generate finds every candidate of every operator in one file.
func generate(fc *fileCtx) []candidate {
	out := dropImports(fc)
	if c, ok := unusedImport(fc); ok {
		out = append(out, c)
	}
	inspector.New([]*ast.File{fc.file}).WithStack(nil, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		switch n := n.(type) {
		case *ast.BinaryExpr:
			out = append(out, boundary(fc, n, stack)...)
		case *ast.BasicLit:
			out = append(out, arith(fc, n, stack)...)
		case *ast.IfStmt:
			out = append(out, negate(fc, n, stack)...)
		case *ast.CallExpr:
			out = append(out, status(fc, n, stack)...)
		case *ast.FuncDecl:
			out = append(out, nilMap(fc, n.Type, n.Body, stack)...)
		case *ast.FuncLit:
			out = append(out, nilMap(fc, n.Type, n.Body, stack)...)
		}
		return true
	})
	seen := map[string]int{}
	for i := range out {
		c := &out[i]
		c.id = fmt.Sprintf("%s@%s:%d:%d", c.op, fc.rel, c.line, c.col)
		// Two mutants of one operator at one place get +1, +2 in the
		// order they were found, which is the order of the source.
		if n := seen[c.id]; n > 0 {
			seen[c.id]++
			c.id = fmt.Sprintf("%s+%d", c.id, n)
		} else {
			seen[c.id] = 1
		}
	}
	return out
}

// snippets are the lines the edit touches, before and after it, each on
// one line. A mutant that inserts whole lines has no before; one that
// removes whole lines no after.
func snippets(src []byte, e edit) (before, after string) {
	s := string(src)
	atLineStart := e.start == lineStart(s, e.start)
	switch {
	case e.start == e.end && strings.HasSuffix(e.text, "\n") && (atLineStart || strings.HasPrefix(e.text, "\n")):
		return "", oneLine(e.text, "; ")
	case atLineStart && e.text == "" && e.end > e.start && s[e.end-1] == '\n':
		return oneLine(s[e.start:e.end], "; "), ""
	}
	ls, le := lineStart(s, e.start), lineEnd(s, e.end)
	return oneLine(s[ls:le], " "), oneLine(s[ls:e.start]+e.text+s[e.end:le], " ")
}

func lineStart(s string, off int) int { return strings.LastIndexByte(s[:off], '\n') + 1 }

func lineEnd(s string, off int) int {
	if i := strings.IndexByte(s[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(s)
}

// oneLine joins the trimmed, non-blank lines of s with sep.
func oneLine(s, sep string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, sep)
}

// funcNames names every function of f: a declaration by its name (a
// method as (*T).M or T.M), a literal by its enclosing declaration and
// its place among the literals there, in source order: serve.func1.
func funcNames(f *ast.File) map[ast.Node]string {
	names := map[ast.Node]string{}
	for _, d := range f.Decls {
		prefix := "glob"
		if fd, ok := d.(*ast.FuncDecl); ok {
			prefix = declName(fd)
			names[fd] = prefix
		}
		n := 0
		ast.Inspect(d, func(x ast.Node) bool {
			if lit, ok := x.(*ast.FuncLit); ok {
				n++
				names[lit] = fmt.Sprintf("%s.func%d", prefix, n)
			}
			return true
		})
	}
	return names
}

func declName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t, star := fd.Recv.List[0].Type, false
	if s, ok := t.(*ast.StarExpr); ok {
		t, star = s.X, true
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	base := "?"
	if id, ok := t.(*ast.Ident); ok {
		base = id.Name
	}
	if star {
		return "(*" + base + ")." + fd.Name.Name
	}
	return base + "." + fd.Name.Name
}

// importName is the name f refers to the package at path by, or "".
func importName(f *ast.File, path string) string {
	for _, spec := range f.Imports {
		if p, err := strconv.Unquote(spec.Path.Value); err != nil || p != path {
			continue
		}
		if spec.Name != nil {
			if spec.Name.Name == "_" || spec.Name.Name == "." {
				return ""
			}
			return spec.Name.Name
		}
		return path[strings.LastIndexByte(path, '/')+1:]
	}
	return ""
}

// dirNames are the names declared at package scope in the non-test .go
// files of dir, whatever their build tags: an added import must not clash
// with any of them, and Sites and Mutate must agree on the set.
func dirNames(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list the package's files: %w", err)
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		for _, d := range f.Decls {
			declNames(d, names)
		}
	}
	return names, nil
}

func declNames(d ast.Decl, names map[string]bool) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			names[d.Name.Name] = true
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.ValueSpec:
				for _, id := range s.Names {
					names[id.Name] = true
				}
			case *ast.TypeSpec:
				names[s.Name.Name] = true
			}
		}
	}
}
