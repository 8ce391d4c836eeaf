package mutate

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// pkg is the loaded package and what verifying its candidates needs.
type pkg struct {
	fset    *token.FileSet
	path    string
	files   []*fileCtx
	syntax  []*ast.File
	info    *types.Info
	conf    types.Config
	health  health
	reached map[ast.Node]bool
}

// load loads dir's package once with the go command, so imports resolve
// as the build resolves them (module, vendor, build tags), and keeps what
// type-checking a mutated file against the rest needs.
func load(workdir, dir string) (*pkg, error) {
	abs := filepath.Join(workdir, filepath.FromSlash(dir))
	var mu sync.Mutex
	srcs := map[string][]byte{}
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedTypesSizes | packages.NeedModule,
		Dir:  abs,
		Fset: token.NewFileSet(),
		ParseFile: func(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
			mu.Lock()
			srcs[name] = src
			mu.Unlock()
			return parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		},
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return nil, fmt.Errorf("load the package in %s: %w", dir, err)
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("load the package in %s: found %d packages, want one", dir, len(pkgs))
	}
	lp := pkgs[0]
	if len(lp.Errors) > 0 {
		return nil, fmt.Errorf("the package in %s does not build, so its mutants cannot be checked: %v", dir, lp.Errors[0])
	}
	p := &pkg{fset: cfg.Fset, path: lp.PkgPath, syntax: lp.Syntax, info: lp.TypesInfo, health: findHealth(lp.Syntax)}
	p.conf = types.Config{Importer: importerOf(lp.Types), Sizes: lp.TypesSizes}
	if lp.Module != nil && lp.Module.GoVersion != "" {
		p.conf.GoVersion = "go" + lp.Module.GoVersion
	}
	if err := p.check(lp.Syntax); err != nil {
		return nil, fmt.Errorf("type-check the package in %s: %w", dir, err)
	}
	if err := p.addFiles(abs, dir, srcs); err != nil {
		return nil, err
	}
	p.reached = reachable(p.syntax, p.info, p.roots())
	return p, nil
}

// addFiles keeps the package's own files: a cgo package's compiled files
// include generated ones elsewhere.
func (p *pkg) addFiles(abs, dir string, srcs map[string][]byte) error {
	pkgNames, err := dirNames(abs)
	if err != nil {
		return fmt.Errorf("mutation sites of %s: %w", dir, err)
	}
	absInfo, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("mutation sites of %s: %w", dir, err)
	}
	for _, f := range p.syntax {
		name := p.fset.File(f.FileStart).Name()
		if info, err := os.Stat(filepath.Dir(name)); err != nil || !os.SameFile(info, absInfo) {
			p.files = append(p.files, nil)
			continue
		}
		rel := path.Join(filepath.ToSlash(dir), filepath.Base(name))
		p.files = append(p.files, newFileCtx(rel, srcs[name], f, p.fset, pkgNames))
	}
	return nil
}

// importerOf resolves the imports from the package the go command
// type-checked: the mutants import nothing it did not.
func importerOf(tp *types.Package) types.Importer {
	m := map[string]*types.Package{}
	for _, imp := range tp.Imports() {
		m[imp.Path()] = imp
	}
	return importerFunc(func(path string) (*types.Package, error) {
		if p, ok := m[path]; ok {
			return p, nil
		}
		return nil, fmt.Errorf("%s is not imported by the package", path)
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func (p *pkg) check(files []*ast.File) error {
	conf := p.conf // Error stays nil: the first error ends the check
	_, err := conf.Check(p.path, p.fset, files, nil)
	return err
}

// verify turns a candidate into a site, or drops it: a mutant that should
// build must type-check, and some sites are not worth a mutant.
func (p *pkg) verify(i int, c candidate) (Site, bool) {
	fc := p.files[i]
	if fc == nil || !p.keep(fc, c) {
		return Site{}, false
	}
	if c.op != DropImport && c.op != UnusedImport {
		f, err := parser.ParseFile(p.fset, p.fset.File(fc.file.FileStart).Name(), apply(fc.src, c.edit), parser.SkipObjectResolution)
		if err != nil {
			return Site{}, false
		}
		files := slices.Clone(p.syntax)
		files[i] = f
		if p.check(files) != nil {
			return Site{}, false
		}
	}
	s := Site{Operator: c.op, File: fc.rel, Line: c.line, Col: c.col, Func: c.funcName, Before: c.before, After: c.after, ID: c.id,
		Handled: c.fn != nil && p.reached[c.fn], Class: class(c.op)}
	switch c.op {
	case DropImport:
		s.Class = classify(fmt.Sprintf("./%s:%d:%d: undefined: %s", path.Base(fc.rel), c.line, c.col, p.info.PkgNameOf(c.node.(*ast.ImportSpec)).Name()))
	case UnusedImport:
		s.Class = classify(fmt.Sprintf("./%s:%d:%d: %q imported and not used", path.Base(fc.rel), c.line, c.col, c.detail))
	}
	return s, true
}

// classify asks the classifier what it calls a compiler's message, so a
// site's class is what triage will say, not what this package hopes.
func classify(msg string) failure.Class {
	if fs := triage.FromText(msg, "", ""); len(fs) > 0 {
		return fs[0].Class
	}
	return failure.CompileError
}

// keep drops the candidates not worth a mutant.
func (p *pkg) keep(fc *fileCtx, c candidate) bool {
	switch c.op {
	case Negate:
		n := c.node.(*ast.IfStmt)
		return !p.isErrCheck(n.Cond) && !p.returnsError(n.Body)
	case DropImport:
		return p.used(c.node.(*ast.ImportSpec))
	case NilMap:
		return p.health.isRoot(c.fn, fc)
	case Status:
		id := c.node.(*ast.SelectorExpr).X.(*ast.Ident)
		pn, ok := p.info.Uses[id].(*types.PkgName)
		return ok && pn.Imported().Path() == "net/http"
	}
	return true
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

func (p *pkg) isError(e ast.Expr) bool {
	t := p.info.TypeOf(e)
	if tup, ok := t.(*types.Tuple); ok && tup.Len() > 0 {
		t = tup.At(tup.Len() - 1).Type()
	}
	return t != nil && !types.Identical(t, types.Typ[types.UntypedNil]) && types.Implements(t, errorType)
}

// isErrCheck reports err != nil: the error paths tests rarely take, so
// the mutant would mostly survive for want of a test, not of a check.
func (p *pkg) isErrCheck(cond ast.Expr) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	isNil := func(e ast.Expr) bool { return p.info.Types[e].IsNil() }
	return isNil(b.Y) && p.isError(b.X) || isNil(b.X) && p.isError(b.Y)
}

// returnsError reports a body that only returns an error a call made: a
// validation guard, whose negation fails on the happy path with an error
// rather than a wrong answer.
func (p *pkg) returnsError(body *ast.BlockStmt) bool {
	if len(body.List) != 1 {
		return false
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok {
		return false
	}
	return slices.ContainsFunc(ret.Results, func(e ast.Expr) bool {
		_, call := ast.Unparen(e).(*ast.CallExpr)
		return call && p.isError(e)
	})
}

// used reports an import the file refers to, so dropping it breaks the
// build.
func (p *pkg) used(is *ast.ImportSpec) bool {
	pn := p.info.PkgNameOf(is)
	if pn == nil {
		return false
	}
	for _, obj := range p.info.Uses {
		if obj == pn {
			return true
		}
	}
	return false
}

// roots are the package's request handlers, health and middleware aside.
func (p *pkg) roots() []ast.Node {
	var out []ast.Node
	for _, fc := range p.files {
		if fc == nil {
			continue
		}
		ast.Inspect(fc.file, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.FuncDecl, *ast.FuncLit:
				if p.health.isRoot(n, fc) {
					out = append(out, n)
				}
			}
			return true
		})
	}
	return out
}

// reachable are the functions the roots reach through the package's own
// functions and methods, named or called: a static call graph, which
// is all a fault on a request's path needs.
func reachable(files []*ast.File, info *types.Info, roots []ast.Node) map[ast.Node]bool {
	decls := map[*types.Func]*ast.FuncDecl{}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	reached := map[ast.Node]bool{}
	queue := slices.Clone(roots)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if reached[n] {
			continue
		}
		reached[n] = true
		ast.Inspect(n, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				reached[x] = true
			case *ast.Ident:
				if fn, ok := info.Uses[x].(*types.Func); ok {
					if fd := decls[fn.Origin()]; fd != nil && !reached[fd] {
						queue = append(queue, fd)
					}
				}
			}
			return true
		})
	}
	return reached
}
