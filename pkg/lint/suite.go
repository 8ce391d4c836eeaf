package lint

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/appends"
	"golang.org/x/tools/go/analysis/passes/asmdecl"
	"golang.org/x/tools/go/analysis/passes/assign"
	"golang.org/x/tools/go/analysis/passes/atomic"
	"golang.org/x/tools/go/analysis/passes/bools"
	"golang.org/x/tools/go/analysis/passes/buildtag"
	"golang.org/x/tools/go/analysis/passes/cgocall"
	"golang.org/x/tools/go/analysis/passes/composite"
	"golang.org/x/tools/go/analysis/passes/copylock"
	"golang.org/x/tools/go/analysis/passes/defers"
	"golang.org/x/tools/go/analysis/passes/directive"
	"golang.org/x/tools/go/analysis/passes/errorsas"
	"golang.org/x/tools/go/analysis/passes/framepointer"
	"golang.org/x/tools/go/analysis/passes/hostport"
	"golang.org/x/tools/go/analysis/passes/httpresponse"
	"golang.org/x/tools/go/analysis/passes/ifaceassert"
	"golang.org/x/tools/go/analysis/passes/loopclosure"
	"golang.org/x/tools/go/analysis/passes/lostcancel"
	"golang.org/x/tools/go/analysis/passes/modernize"
	"golang.org/x/tools/go/analysis/passes/nilfunc"
	"golang.org/x/tools/go/analysis/passes/printf"
	"golang.org/x/tools/go/analysis/passes/shift"
	"golang.org/x/tools/go/analysis/passes/sigchanyzer"
	"golang.org/x/tools/go/analysis/passes/slog"
	"golang.org/x/tools/go/analysis/passes/stdmethods"
	"golang.org/x/tools/go/analysis/passes/stdversion"
	"golang.org/x/tools/go/analysis/passes/stringintconv"
	"golang.org/x/tools/go/analysis/passes/structtag"
	"golang.org/x/tools/go/analysis/passes/testinggoroutine"
	"golang.org/x/tools/go/analysis/passes/tests"
	"golang.org/x/tools/go/analysis/passes/timeformat"
	"golang.org/x/tools/go/analysis/passes/unmarshal"
	"golang.org/x/tools/go/analysis/passes/unreachable"
	"golang.org/x/tools/go/analysis/passes/unsafeptr"
	"golang.org/x/tools/go/analysis/passes/unusedresult"
	"golang.org/x/tools/go/analysis/passes/waitgroup"
	"honnef.co/go/tools/analysis/lint"
	"honnef.co/go/tools/simple"
	"honnef.co/go/tools/staticcheck"
	"honnef.co/go/tools/stylecheck"
	"honnef.co/go/tools/unused"
)

// vet is the analyzer set of `go vet` (cmd/vet, Go 1.26).
var vet = []*analysis.Analyzer{
	appends.Analyzer, asmdecl.Analyzer, assign.Analyzer, atomic.Analyzer, bools.Analyzer,
	buildtag.Analyzer, cgocall.Analyzer, composite.Analyzer, copylock.Analyzer, defers.Analyzer,
	directive.Analyzer, errorsas.Analyzer, framepointer.Analyzer, hostport.Analyzer,
	httpresponse.Analyzer, ifaceassert.Analyzer, loopclosure.Analyzer, lostcancel.Analyzer,
	nilfunc.Analyzer, printf.Analyzer, shift.Analyzer, sigchanyzer.Analyzer, slog.Analyzer,
	stdmethods.Analyzer, stdversion.Analyzer, stringintconv.Analyzer, structtag.Analyzer,
	testinggoroutine.Analyzer, tests.Analyzer, timeformat.Analyzer, unmarshal.Analyzer,
	unreachable.Analyzer, unsafeptr.Analyzer, unusedresult.Analyzer, waitgroup.Analyzer,
}

// DefaultChecks is what runs when phases.lint.checks is not set: go vet,
// staticcheck's default set (its style checks minus the ones staticcheck
// itself leaves off), unused code, and the modernizers `go fix` applies.
var DefaultChecks = []string{
	"vet", "staticcheck", "simple", "stylecheck", "unused", "modernize",
	"-ST1000", "-ST1003", "-ST1016", "-ST1020", "-ST1021", "-ST1022", "-ST1023",
}

// Groups names the analyzer sets a check list can name.
var Groups = []string{"vet", "staticcheck", "simple", "stylecheck", "unused", "modernize"}

// Suite is the analyzers a run uses, and where each comes from.
type Suite struct {
	checks    []string // what selected them
	analyzers []*analysis.Analyzer
	source    map[*analysis.Analyzer]string
}

// Names lists the suite's analyzers, sorted.
func (s *Suite) Names() []string {
	out := make([]string, 0, len(s.analyzers))
	for _, a := range s.analyzers {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// Sources lists the groups the suite draws on, sorted.
func (s *Suite) Sources() []string {
	set := map[string]bool{}
	for _, src := range s.source {
		set[src] = true
	}
	var out []string
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

type candidate struct {
	a      *analysis.Analyzer
	group  string
	nondef bool
}

func candidates() []candidate {
	var out []candidate
	for _, a := range vet {
		out = append(out, candidate{a: a, group: "vet"})
	}
	for _, g := range []struct {
		name string
		list []*lint.Analyzer
	}{{"staticcheck", staticcheck.Analyzers}, {"simple", simple.Analyzers}, {"stylecheck", stylecheck.Analyzers}, {"unused", []*lint.Analyzer{unused.Analyzer}}} {
		for _, a := range g.list {
			out = append(out, candidate{a: a.Analyzer, group: g.name, nondef: a.Doc != nil && a.Doc.NonDefault})
		}
	}
	for _, a := range modernize.Suite {
		out = append(out, candidate{a: a, group: "modernize"})
	}
	return out
}

// NewSuite selects analyzers by a check list: group names (vet,
// staticcheck, simple, stylecheck, unused, modernize), analyzer names
// (printf, SA4006, any) or patterns (SA4*), "all" for everything; a
// leading "-" removes. Later entries win. A group brings its analyzers
// that are on by default; name a non-default one to add it.
func NewSuite(checks []string) (*Suite, error) {
	if checks == nil {
		checks = DefaultChecks
	}
	all := candidates()
	on := make([]bool, len(all))
	for _, c := range checks {
		c = strings.TrimSpace(c)
		neg := strings.HasPrefix(c, "-")
		c = strings.TrimPrefix(c, "-")
		matched := false
		for i, cand := range all {
			byGroup := c == cand.group || c == "all"
			byName := c == cand.a.Name
			if !byName && strings.ContainsAny(c, "*?[") {
				byName, _ = path.Match(c, cand.a.Name)
			}
			if !byGroup && !byName {
				continue
			}
			matched = true
			if byGroup && !neg && cand.nondef {
				continue
			}
			on[i] = !neg
		}
		if !matched {
			return nil, fmt.Errorf("check %q names no analyzer: use a group (%s), an analyzer name such as printf or SA4006, a pattern such as SA4*, or all", c, strings.Join(Groups, ", "))
		}
	}
	s := &Suite{checks: checks, source: map[*analysis.Analyzer]string{}}
	for i, cand := range all {
		if on[i] {
			if _, dup := s.source[cand.a]; dup {
				continue
			}
			s.analyzers = append(s.analyzers, cand.a)
			s.source[cand.a] = cand.group
		}
	}
	return s, nil
}
