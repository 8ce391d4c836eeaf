package testrun

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// decl is one top-level declaration of a Go file, with what it mentions.
// The index is built from the syntax alone, so it works on a package that
// does not compile, which is when triage needs it most.
type decl struct {
	name     string // a function, a method (Recv.Name), a type, or a var/const group's first name
	kind     string // func, type, value
	path     string // relative to the workdir
	from, to int    // lines, doc comment included
	src      string
	uses     []string // identifiers and selector names it mentions
	routes   []string // "METHOD /path" patterns it registers
	handlers []string // the handler names those registrations name
}

// source is the parsed Go code of a directory tree.
type source struct {
	decls []decl
	files map[string]string // path -> whole content
}

func (s *source) byName(name string) []decl {
	var out []decl
	for _, d := range s.decls {
		if d.name == name || strings.HasSuffix(d.name, "."+name) {
			out = append(out, d)
		}
	}
	return out
}

var routeRe = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)$`)

// parseDir indexes the .go files under dir (recursively); tests chooses
// test files (true) or the others (false).
func parseDir(workdir, dir string, tests bool) *source {
	s := &source{files: map[string]string{}}
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && strings.HasSuffix(p, "_test.go") == tests {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(workdir, p)
		rel = filepath.ToSlash(rel)
		s.files[rel] = string(src)
		s.decls = append(s.decls, parseFile(rel, src)...)
	}
	return s
}

func parseFile(rel string, src []byte) []decl {
	fset := token.NewFileSet()
	// A file with syntax errors still yields the declarations before them.
	file, _ := parser.ParseFile(fset, rel, src, parser.ParseComments|parser.AllErrors)
	if file == nil {
		return nil
	}
	var out []decl
	for _, d := range file.Decls {
		x := decl{path: rel}
		start, doc := d.Pos(), (*ast.CommentGroup)(nil)
		switch d := d.(type) {
		case *ast.FuncDecl:
			x.name, x.kind, doc = d.Name.Name, "func", d.Doc
			if d.Recv != nil && len(d.Recv.List) > 0 {
				x.name = recvName(d.Recv.List[0].Type) + "." + d.Name.Name
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT || len(d.Specs) == 0 {
				continue
			}
			x.kind, doc = "value", d.Doc
			switch sp := d.Specs[0].(type) {
			case *ast.TypeSpec:
				x.name, x.kind = sp.Name.Name, "type"
			case *ast.ValueSpec:
				x.name = sp.Names[0].Name
			}
		}
		if doc != nil {
			start = doc.Pos()
		}
		from, to := fset.Position(start), fset.Position(d.End())
		if to.Offset > len(src) || from.Offset > to.Offset {
			continue
		}
		x.from, x.to = from.Line, to.Line
		x.src = string(src[from.Offset:to.Offset]) + "\n"
		x.uses, x.routes, x.handlers = mentions(d)
		out = append(out, x)
	}
	return out
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvName(t.X)
	}
	return "?"
}

// mentions lists the names a declaration uses and the routes it registers
// (a call with a "METHOD /path" string and a named handler after it).
func mentions(n ast.Node) (uses, routes, handlers []string) {
	seen := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			if !seen[x.Name] {
				seen[x.Name] = true
				uses = append(uses, x.Name)
			}
		case *ast.CallExpr:
			if r, h := route(x); r != "" {
				routes, handlers = append(routes, r), append(handlers, h)
			}
		}
		return true
	})
	return uses, routes, handlers
}

func route(c *ast.CallExpr) (string, string) {
	for i, a := range c.Args {
		lit, ok := a.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			continue
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !routeRe.MatchString(s) || i+1 >= len(c.Args) {
			continue
		}
		return s, handlerName(c.Args[i+1])
	}
	return "", ""
}

// handlerName is the function a registration names, through conversions
// and wrappers such as http.HandlerFunc(h) or withLog(h).
func handlerName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.CallExpr:
		for _, a := range x.Args {
			if n := handlerName(a); n != "" {
				return n
			}
		}
	}
	return ""
}
