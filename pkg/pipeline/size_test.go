package pipeline

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// No function in a phase package is over 60 lines: a long one is split
// into named steps. The packages are found from the phases' own config
// types, so a new phase is checked as soon as it is in the list.
func TestPhaseFunctionsAreShort(t *testing.T) {
	const module = "github.com/orchestrate-dev/orchestrate/"
	dirs := map[string]bool{"../report": true}
	for _, p := range Phases() {
		if p.settings.Default != nil {
			dirs[filepath.Join("..", "..", strings.TrimPrefix(reflect.TypeOf(p.settings.Default).PkgPath(), module))] = true
		}
	}
	if len(dirs) < len(Phases()) {
		t.Fatalf("found %d phase packages for %d phases", len(dirs), len(Phases()))
	}
	fs := token.NewFileSet()
	for dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			t.Errorf("%s: no Go files", dir)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fs, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range af.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
					if n := fs.Position(fn.Body.Rbrace).Line - fs.Position(fn.Pos()).Line + 1; n > 60 {
						t.Errorf("%s: %s is %d lines: split it into named steps", fs.Position(fn.Pos()), fn.Name.Name, n)
					}
				}
			}
		}
	}
}
