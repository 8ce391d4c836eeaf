package testgen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"sort"

	"golang.org/x/tools/imports"
)

var testFuncRe = regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]*)\(\s*\w+\s+\*testing\.T\s*\)`)

// testNames lists the top-level test functions of a file, in source order.
// A regular expression, not the parser: a file that does not compile still
// has its tests counted.
func testNames(src []byte) []string {
	var out []string
	for _, m := range testFuncRe.FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// prune removes the named test functions, with their doc comments, from a
// file, cutting bytes so everything else stays as written, then drops the
// imports only they used. It reports how many tests remain.
func prune(name string, src []byte, drop map[string]bool) ([]byte, int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, 0, err
	}
	type cut struct{ from, to int }
	var cuts []cut
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !drop[fd.Name.Name] {
			continue
		}
		from := fset.Position(fd.Pos()).Offset
		if fd.Doc != nil {
			from = fset.Position(fd.Doc.Pos()).Offset
		}
		to := fset.Position(fd.End()).Offset
		for to < len(src) && src[to] == '\n' {
			to++
		}
		cuts = append(cuts, cut{from, to})
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].from > cuts[j].from })
	out := append([]byte(nil), src...)
	for _, c := range cuts {
		out = append(out[:c.from], out[c.to:]...)
	}
	out, err = imports.Process(name, out, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: false})
	if err != nil {
		return nil, 0, err
	}
	return out, len(testNames(out)), nil
}
