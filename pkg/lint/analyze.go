package lint

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one diagnostic: where, what, from which analyzer, and whether
// the analyzer knows a fix.
type Finding struct {
	Analyzer string `json:"analyzer"`
	Source   string `json:"source"` // vet, staticcheck, simple, stylecheck, unused, modernize, goimports, gofmt, golangci-lint, compiler
	File     string `json:"file"`   // relative to the workdir, forward slashes
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Fixable  bool   `json:"fixable"`

	abs   string      // the file's absolute path
	edits []byteEdits // the first suggested fix, as byte edits per file
}

// Key identifies a finding across analyses without its position, which
// moves when lines above it change.
func (f Finding) Key() string { return f.Analyzer + "\x00" + f.File + "\x00" + f.Message }

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s (%s)", f.File, f.Line, f.Column, f.Message, f.Analyzer)
}

// byteEdits is a suggested fix's edits to one file, by byte offsets.
type byteEdits struct {
	abs   string
	edits []byteEdit
}

type byteEdit struct {
	start, end int
	text       []byte
}

// Analysis is one run of the analyzers over a module.
type Analysis struct {
	Findings []Finding
	// Broken lists what keeps the module (or its tests) from type-checking:
	// the build is broken, and analyzers that need types did not run.
	Broken []Finding
	// InProcess says why go vet did not analyse the module and it was
	// analysed in-process; "" when go vet did.
	InProcess string
}

// Analyze runs the suite's analyzers over the module in dir, its tests
// included: through go vet with this binary as its vet tool, so that each
// package's facts and findings are cached in the go build cache, or
// in-process when go vet cannot (the module does not type-check, or the
// binary cannot serve as a vet tool). Findings in files outside dir
// (generated test mains, dependencies) are dropped; the same finding
// reported for a package and its test variant is kept once.
func (s *Suite) Analyze(ctx context.Context, dir, workdir string, environ []string) (Analysis, error) {
	a, err := s.vetAnalyze(ctx, dir, workdir, environ)
	if !errors.Is(err, errNoVet) {
		return a, err
	}
	a, ierr := s.AnalyzeInProcess(ctx, dir, workdir, environ)
	a.InProcess = err.Error()
	return a, ierr
}

// AnalyzeInProcess loads the module in dir with go/packages, its tests
// included, and runs the suite's analyzers in-process, its dependencies
// analysed from source for their facts.
func (s *Suite) AnalyzeInProcess(ctx context.Context, dir, workdir string, environ []string) (Analysis, error) {
	res, err := s.load(ctx, []string{dir}, dir, []string{"./..."}, workdir, environ)
	return res[dir], err
}

// AnalyzeAll analyses several modules: each through go vet when it can
// (see Analyze), the others in-process with one load.
func (s *Suite) AnalyzeAll(ctx context.Context, dirs []string, workdir string, environ []string) (map[string]Analysis, error) {
	out := map[string]Analysis{}
	var rest []string
	why := map[string]string{}
	for _, d := range dirs {
		a, err := s.vetAnalyze(ctx, d, workdir, environ)
		switch {
		case err == nil:
			out[d] = a
		case errors.Is(err, errNoVet):
			rest, why[d] = append(rest, d), err.Error()
		default:
			return nil, err
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	res, err := s.AnalyzeAllInProcess(ctx, rest, workdir, environ)
	for d, a := range res {
		a.InProcess = why[d]
		out[d] = a
	}
	return out, err
}

// AnalyzeAllInProcess analyses several modules in-process with one load,
// through a temporary go.work, so the dependencies they share are
// type-checked and analysed once. When the modules cannot share a
// workspace it falls back to one load each.
func (s *Suite) AnalyzeAllInProcess(ctx context.Context, dirs []string, workdir string, environ []string) (map[string]Analysis, error) {
	if len(dirs) == 1 {
		return s.load(ctx, dirs, dirs[0], []string{"./..."}, workdir, environ)
	}
	tmp, err := os.MkdirTemp("", "orchestrate-lint-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	work := "go " + strings.TrimPrefix(runtime.Version(), "go") + "\n\nuse (\n"
	var patterns []string
	for _, d := range dirs {
		work += "\t" + strconv.Quote(d) + "\n"
		patterns = append(patterns, filepath.Join(d, "..."))
	}
	work += ")\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(work), 0o644); err == nil {
		env := append(append([]string(nil), environ...), "GOWORK="+filepath.Join(tmp, "go.work"))
		if res, err := s.load(ctx, dirs, dirs[0], patterns, workdir, env); err == nil {
			return res, nil
		} else if ctx.Err() != nil {
			return nil, err
		}
	}
	out := map[string]Analysis{}
	for _, d := range dirs {
		a, err := s.AnalyzeInProcess(ctx, d, workdir, environ)
		if err != nil {
			return nil, err
		}
		out[d] = a
	}
	return out, nil
}

// load runs one packages.Load and the analyzers over its packages, and
// sorts what they find by the module it is in.
func (s *Suite) load(ctx context.Context, dirs []string, at string, patterns []string, workdir string, environ []string) (map[string]Analysis, error) {
	cfg := &packages.Config{Mode: loadMode, Dir: at, Tests: true, Context: ctx, Env: environ}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("load the packages in %s: %w", strings.Join(dirs, ", "), err)
	}
	found := newByModule(dirs)
	var roots []*packages.Package
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") {
			continue // the generated test main
		}
		roots = append(roots, p)
		for _, f := range compilerFindings(p, at, workdir) {
			found.add(true, f)
		}
	}
	if len(s.analyzers) == 0 || len(roots) == 0 {
		return found.result(), nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.analyzeRoots(roots, dirs, workdir, found); err != nil {
		return nil, err
	}
	return found.result(), nil
}

// compilerFindings are a package's load and type errors, each placed in a
// file even when go/packages names none: the package's first Go file, or
// else the go.mod of the module it was loaded from (at), so that it is
// sorted into a module.
func compilerFindings(p *packages.Package, at, workdir string) []Finding {
	var out []Finding
	for _, e := range p.Errors {
		f := Finding{Analyzer: "compiler", Source: "compiler", Message: e.Msg}
		f.abs, f.Line, f.Column = splitPos(e.Pos)
		if (f.abs == "" || f.abs == "-") && len(p.GoFiles) > 0 {
			f.abs = p.GoFiles[0]
		}
		if f.abs == "" || f.abs == "-" {
			f.abs = filepath.Join(at, "go.mod")
		}
		f.File = rel(workdir, f.abs)
		out = append(out, f)
	}
	return out
}

// analyzeRoots runs the analyzers over the loaded packages and adds to
// found what they report about those packages themselves: dependencies
// are analysed only for the facts the loaded packages need.
func (s *Suite) analyzeRoots(roots []*packages.Package, dirs []string, workdir string, found *byModule) error {
	graph, err := checker.Analyze(s.analyzers, roots, &checker.Options{})
	if err != nil && graph == nil {
		return fmt.Errorf("analyze %s: %w", strings.Join(dirs, ", "), err)
	}
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		for _, d := range act.Diagnostics {
			found.add(false, s.finding(act.Analyzer, act.Package.Fset, d, workdir))
		}
	}
	return nil
}

// byModule sorts the findings of one load into the modules they are in,
// each once: a package and its test variant report the same finding.
type byModule struct {
	dirs []string
	res  map[string]*Analysis
	seen map[string]bool
}

func newByModule(dirs []string) *byModule {
	b := &byModule{dirs: dirs, res: map[string]*Analysis{}, seen: map[string]bool{}}
	for _, d := range dirs {
		b.res[d] = &Analysis{}
	}
	return b
}

// owner is the analysis of the innermost module holding the file; nil when
// none does.
func (b *byModule) owner(abs string) *Analysis {
	best := ""
	for _, d := range b.dirs {
		if inside(d, abs) && len(d) > len(best) {
			best = d
		}
	}
	return b.res[best]
}

// add keeps a finding, as breaking the build or not, unless it is outside
// every module or was kept before.
func (b *byModule) add(broken bool, f Finding) {
	a := b.owner(f.abs)
	if a == nil {
		return
	}
	k := fmt.Sprintf("%s:%d:%d:%s:%s", f.File, f.Line, f.Column, f.Analyzer, f.Message)
	if b.seen[k] {
		return
	}
	b.seen[k] = true
	if broken {
		a.Broken = append(a.Broken, f)
	} else {
		a.Findings = append(a.Findings, f)
	}
}

// result is every module's analysis, its findings sorted.
func (b *byModule) result() map[string]Analysis {
	m := map[string]Analysis{}
	for d, a := range b.res {
		sortFindings(a.Findings)
		sortFindings(a.Broken)
		m[d] = *a
	}
	return m
}

func (s *Suite) finding(a *analysis.Analyzer, fset *token.FileSet, d analysis.Diagnostic, workdir string) Finding {
	pos := fset.Position(d.Pos)
	f := Finding{Analyzer: a.Name, Source: s.source[a], abs: pos.Filename, Line: pos.Line, Column: pos.Column, Message: d.Message}
	f.File = rel(workdir, pos.Filename)
	if len(d.SuggestedFixes) > 0 {
		f.edits = toByteEdits(fset, d.SuggestedFixes[0])
		f.Fixable = len(f.edits) > 0
	}
	return f
}

// toByteEdits turns a suggested fix's token positions into byte offsets,
// grouped by file.
func toByteEdits(fset *token.FileSet, fix analysis.SuggestedFix) []byteEdits {
	byFile := map[string][]byteEdit{}
	var order []string
	for _, te := range fix.TextEdits {
		tf := fset.File(te.Pos)
		if tf == nil {
			return nil
		}
		end := te.End
		if !end.IsValid() {
			end = te.Pos
		}
		name := tf.Name()
		if _, ok := byFile[name]; !ok {
			order = append(order, name)
		}
		byFile[name] = append(byFile[name], byteEdit{start: tf.Offset(te.Pos), end: tf.Offset(end), text: te.NewText})
	}
	out := make([]byteEdits, 0, len(order))
	for _, name := range order {
		out = append(out, byteEdits{abs: name, edits: byFile[name]})
	}
	return out
}

// splitPos splits a go/packages error position, "file:line:col".
func splitPos(pos string) (file string, line, col int) {
	parts := strings.Split(pos, ":")
	switch {
	case len(parts) >= 3:
		fmt.Sscan(parts[len(parts)-2], &line)
		fmt.Sscan(parts[len(parts)-1], &col)
		return strings.Join(parts[:len(parts)-2], ":"), line, col
	case len(parts) == 2:
		fmt.Sscan(parts[1], &line)
		return parts[0], line, 0
	}
	return pos, 0, 0
}

func inside(dir, file string) bool {
	r, err := filepath.Rel(dir, file)
	return err == nil && filepath.IsLocal(r)
}

func rel(workdir, abs string) string {
	if abs == "" {
		return ""
	}
	if r, err := filepath.Rel(workdir, abs); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(abs)
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Analyzer < b.Analyzer
	})
}

// goFiles lists the module's Go files, outside testdata and vendor and
// nested modules.
func goFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != dir && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if p != dir {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

var loadMode = packages.LoadAllSyntax
