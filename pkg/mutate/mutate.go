// Package mutate plants faults in a Go service by mutating its syntax
// tree, not by editing text that only one service holds: the operators
// find their sites in any package, list them all (for mutation testing)
// and pick one from a seed (for `orchestrate run --inject`). A mutant is
// a byte splice of the original source, so the rest of the file stays
// byte-identical and the diff shows only the fault.
package mutate

import (
	"cmp"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Operator is one kind of fault.
type Operator struct {
	Name  string        // e.g. "boundary"
	What  string        // one line, for --inject list and reports
	Class failure.Class // what the deterministic classifier should call the resulting test failure
}

// The operators' names.
const (
	Boundary     = "boundary"
	Negate       = "negate"
	Status       = "status"
	Arith        = "arith"
	DropImport   = "drop-import"
	UnusedImport = "unused-import"
	NilMap       = "nil-map"
)

// Operators lists the operators in a stable order.
func Operators() []Operator {
	return []Operator{
		{Boundary, "a comparison's boundary is off by one: < and <=, > and >= swapped", failure.AssertionFailure},
		{Negate, "an if condition is negated", failure.AssertionFailure},
		{Status, "a handler answers with a different HTTP status", failure.AssertionFailure},
		{Arith, "a constant in arithmetic or a comparison is off by one", failure.AssertionFailure},
		{DropImport, "an import the file uses is removed", failure.ImportError},
		{UnusedImport, "an import the file does not use is added", failure.ImportError},
		{NilMap, "a request handler writes to a nil map first thing", failure.Panic},
	}
}

// Site is one place an operator applies. Before is empty for a mutant
// that only inserts lines, After for one that only removes lines.
type Site struct {
	Operator string `json:"operator"`
	File     string `json:"file"` // relative to the workdir, forward slashes
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Func     string `json:"func"`   // enclosing function
	Before   string `json:"before"` // the original snippet (one line, trimmed)
	After    string `json:"after"`  // the mutated snippet
	ID       string `json:"id"`     // stable: operator@file:line:col(+n)
	// Handled marks a site a request reaches: in a handler, or in a
	// function a handler calls, health handlers and middleware aside.
	// A fault elsewhere breaks start-up or nothing, not a request.
	Handled bool `json:"handled"`
	// Class is what the classifier should call the failure, per site: a
	// dropped import of a package the classifier does not know by name
	// is a compile error, not an import error.
	Class failure.Class `json:"class"`
}

// Sites lists every site of every operator in the non-test .go files of
// dir (dir relative to workdir), sorted by file, line, col, operator.
// The files are those the build compiles (build tags applied); mutants
// that should build are type-checked, and left out when they do not.
func Sites(workdir, dir string) ([]Site, error) {
	if !filepath.IsLocal(filepath.FromSlash(dir)) || strings.Contains(dir, `\`) {
		return nil, fmt.Errorf("mutation sites: the directory %q is not inside the workdir", dir)
	}
	p, err := load(workdir, dir)
	if err != nil {
		return nil, err
	}
	var out []Site
	for i, fc := range p.files {
		if fc == nil {
			continue
		}
		for _, c := range generate(fc) {
			if s, ok := p.verify(i, c); ok {
				out = append(out, s)
			}
		}
	}
	sortSites(out)
	return out, nil
}

// Pick chooses one site of op deterministically from seed: the same
// sites and seed give the same site, whatever their order. It prefers
// handled sites, so a planted fault shows in a request's answer rather
// than in a service that does not start.
func Pick(sites []Site, op string, seed int64) (Site, error) {
	if !slices.ContainsFunc(Operators(), func(o Operator) bool { return o.Name == op }) {
		return Site{}, fmt.Errorf("unknown mutation operator %q; the operators are %s", op, strings.Join(names(), ", "))
	}
	var of, handled []Site
	for _, s := range sites {
		if s.Operator == op {
			of = append(of, s)
			if s.Handled {
				handled = append(handled, s)
			}
		}
	}
	if len(of) == 0 {
		return Site{}, noSite(sites, op)
	}
	if len(handled) > 0 {
		of = handled
	}
	sortSites(of)
	return of[mix(uint64(seed))%uint64(len(of))], nil
}

// noSite names the operators that do have a site, so the caller can
// choose one of them.
func noSite(sites []Site, op string) error {
	count := map[string]int{}
	for _, s := range sites {
		count[s.Operator]++
	}
	var have []string
	for _, o := range Operators() {
		if count[o.Name] > 0 {
			have = append(have, fmt.Sprintf("%s (%d)", o.Name, count[o.Name]))
		}
	}
	if len(have) == 0 {
		return fmt.Errorf("no %s site: no operator has a site in these files", op)
	}
	return fmt.Errorf("no %s site in these files; operators with sites: %s", op, strings.Join(have, ", "))
}

// Mutate returns the change that plants the site: the file's whole
// content before and after (gofmt-formatted after), as a change.Set. It
// finds the site again in the file as it is now, and refuses when the
// file changed since the site was listed.
func Mutate(workdir string, s Site) (change.Set, error) {
	if !filepath.IsLocal(filepath.FromSlash(s.File)) || path.Clean(s.File) != s.File || strings.Contains(s.File, `\`) {
		return change.Set{}, fmt.Errorf("mutate %s: the file %q is not a clean path inside the workdir", s.ID, s.File)
	}
	abs := filepath.Join(workdir, filepath.FromSlash(s.File))
	src, err := os.ReadFile(abs)
	if err != nil {
		return change.Set{}, fmt.Errorf("mutate %s: %w", s.ID, err)
	}
	pkgNames, err := dirNames(filepath.Dir(abs))
	if err != nil {
		return change.Set{}, fmt.Errorf("mutate %s: %w", s.ID, err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, abs, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return change.Set{}, fmt.Errorf("mutate %s: parse: %w", s.ID, err)
	}
	for _, c := range generate(newFileCtx(s.File, src, f, fset, pkgNames)) {
		if c.id != s.ID {
			continue
		}
		if c.before != s.Before || c.after != s.After {
			return change.Set{}, fmt.Errorf("mutate %s: %s changed since its sites were listed: the site now reads %q", s.ID, s.File, c.before)
		}
		out, err := format.Source(apply(src, c.edit))
		if err != nil {
			return change.Set{}, fmt.Errorf("mutate %s: format the mutant: %w", s.ID, err)
		}
		return change.Set{Files: []change.File{{Path: s.File, Before: src, After: out}}}, nil
	}
	return change.Set{}, fmt.Errorf("mutate %s: no such site in %s as it is now", s.ID, s.File)
}

func names() []string {
	var out []string
	for _, o := range Operators() {
		out = append(out, o.Name)
	}
	return out
}

func class(op string) failure.Class {
	for _, o := range Operators() {
		if o.Name == op {
			return o.Class
		}
	}
	return failure.Unknown
}

func sortSites(s []Site) {
	slices.SortFunc(s, func(a, b Site) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Operator, b.Operator), cmp.Compare(a.ID, b.ID))
	})
}

// mix is splitmix64's finaliser: seeds next to each other land on sites
// far apart, and the choice is the same on every Go version (math/rand's
// global source promises no such thing).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
