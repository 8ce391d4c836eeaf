package lint

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/packages"
)

// Every load error lands in a file of the module, so that it is sorted
// into one: where it says, else the package's first Go file, else go.mod.
func TestCompilerFindingsPlaced(t *testing.T) {
	wd := t.TempDir()
	mod := filepath.Join(wd, "svc")
	main := filepath.Join(mod, "main.go")
	errs := []packages.Error{{Pos: main + ":3:7", Msg: "undefined: x"}, {Pos: "", Msg: "no position"}, {Pos: "-", Msg: "dash"}}
	with := compilerFindings(&packages.Package{Errors: errs, GoFiles: []string{main}}, mod, wd)
	without := compilerFindings(&packages.Package{Errors: errs}, mod, wd)
	for _, c := range []struct {
		got        Finding
		file       string
		line, col  int
		msg, owner string
	}{
		{with[0], "svc/main.go", 3, 7, "undefined: x", main},
		{with[1], "svc/main.go", 0, 0, "no position", main},
		{with[2], "svc/main.go", 0, 0, "dash", main},
		{without[0], "svc/main.go", 3, 7, "undefined: x", main},
		{without[1], "svc/go.mod", 0, 0, "no position", filepath.Join(mod, "go.mod")},
		{without[2], "svc/go.mod", 0, 0, "dash", filepath.Join(mod, "go.mod")},
	} {
		f := c.got
		if f.File != c.file || f.Line != c.line || f.Column != c.col || f.Message != c.msg || f.abs != c.owner || f.Analyzer != "compiler" || f.Source != "compiler" {
			t.Errorf("got %+v (abs %s), want %s:%d:%d %s", f, f.abs, c.file, c.line, c.col, c.msg)
		}
	}
}
