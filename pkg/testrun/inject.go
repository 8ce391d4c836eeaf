package testrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/mutate"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Fault is a fault `orchestrate run --inject` plants in the service, so
// the loop can be seen (and tested) at work on any Go service: the AST
// operators of pkg/mutate, placed among their sites in the service's own
// code by a seed, and two that are no code mutation (the compose file's
// port, a flaky test).
type Fault struct {
	Name  string
	What  string
	Class failure.Class // what the classifier should say
	plant func(l *loop) (change.Set, *mutate.Site, error)
}

// Faults lists the faults --inject knows, by name.
func Faults() []Fault {
	var out []Fault
	for _, op := range mutate.Operators() {
		out = append(out, Fault{Name: op.Name, What: op.What, Class: op.Class, plant: mutant(op.Name)})
	}
	return append(out,
		Fault{"wrong-port", "the service listens on a port the compose file does not publish", failure.ServiceUnreachable, noSite(wrongPort)},
		Fault{"flaky-test", "a unit test that fails on its first run only", failure.Flaky, noSite(flakyTest)})
}

// FaultNames lists the names, for flags and messages.
func FaultNames() []string {
	var out []string
	for _, f := range Faults() {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// FaultSites is what `--inject list` shows: each fault with the number of
// places it can be planted in this service (-1: not a code mutation).
type FaultSites struct {
	Fault
	Sites int
}

// ListFaults lists the faults and their sites in the service under
// workdir/dir.
func ListFaults(workdir, dir string) ([]FaultSites, error) {
	sites, err := mutate.Sites(workdir, dir)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, s := range sites {
		n[s.Operator]++
	}
	var out []FaultSites
	for _, f := range Faults() {
		c, ok := n[f.Name]
		if !ok && !isOperator(f.Name) {
			c = -1
		}
		out = append(out, FaultSites{f, c})
	}
	return out, nil
}

func isOperator(name string) bool {
	for _, op := range mutate.Operators() {
		if op.Name == name {
			return true
		}
	}
	return false
}

// Injection records what was planted, where, and what the classifier
// made of it.
type Injection struct {
	Fault    string   `json:"fault"`
	What     string   `json:"what"`
	Site     string   `json:"site,omitempty"` // file:line (function) of a code mutation
	Before   string   `json:"before,omitempty"`
	After    string   `json:"after,omitempty"`
	Seed     int64    `json:"seed"`
	Expected string   `json:"expected_class"`
	Found    []string `json:"found_classes"` // the classes of the first run's failures
	Files    []string `json:"files"`
	Patch    string   `json:"patch"`
	Restored bool     `json:"restored"` // the workdir is as it was before the fault, at the end
}

// mutant plants the operator at the site the seed picks.
func mutant(op string) func(l *loop) (change.Set, *mutate.Site, error) {
	return func(l *loop) (change.Set, *mutate.Site, error) {
		sites, err := mutate.Sites(l.in.Workdir, l.in.Spec.Dir)
		if err != nil {
			return change.Set{}, nil, err
		}
		s, err := mutate.Pick(sites, op, l.in.Seed)
		if err != nil {
			return change.Set{}, nil, err
		}
		set, err := mutate.Mutate(l.in.Workdir, s)
		return set, &s, err
	}
}

func noSite(f func(l *loop) (change.Set, error)) func(l *loop) (change.Set, *mutate.Site, error) {
	return func(l *loop) (change.Set, *mutate.Site, error) {
		set, err := f(l)
		return set, nil, err
	}
}

func wrongPort(l *loop) (change.Set, error) {
	file := l.in.Compose
	if file == "" {
		file = "compose.yaml"
	}
	rel := l.in.Spec.Dir + "/" + file
	b, err := os.ReadFile(filepath.Join(l.in.Workdir, filepath.FromSlash(rel)))
	if err != nil {
		return change.Set{}, err
	}
	m := portEnvRe.FindSubmatch(b)
	if m == nil {
		return change.Set{}, fmt.Errorf("%s sets no PORT for the service", rel)
	}
	return change.Build(l.in.Workdir, []change.Edit{{Path: rel, Old: string(m[0]), New: string(m[1]) + `"8081"`}}, nil)
}

func flakyTest(l *loop) (change.Set, error) {
	marker := filepath.Join(os.TempDir(), "orchestrate-flaky-"+l.in.RunID)
	l.cleanup = append(l.cleanup, marker)
	src := fmt.Sprintf(`package main

import (
	"os"
	"testing"
)

// Planted by orchestrate run --inject flaky-test: fails on its first run
// in this run only, passes when re-run.
func TestInjectedFlaky(t *testing.T) {
	marker := %q
	if _, err := os.Stat(marker); err != nil {
		_ = os.WriteFile(marker, nil, 0o644)
		t.Fatal("injected flaky failure: the first run fails, a re-run passes")
	}
}
`, marker)
	return change.Build(l.in.Workdir, nil, []change.Whole{{Path: l.in.Spec.Dir + "/injected_flaky_test.go", Content: src}})
}

// inject plants the fault and marks the service stale, so the first run
// tests the faulty code.
func (l *loop) inject(ctx context.Context) error {
	var fault *Fault
	for _, f := range Faults() {
		if f.Name == l.in.Inject {
			fault = &f
		}
	}
	if fault == nil {
		return failure.New(failure.ConfigError, "--inject %q: not a known fault; use one of %s (--inject list shows where each applies)", l.in.Inject, strings.Join(FaultNames(), ", "))
	}
	set, site, err := fault.plant(l)
	if err != nil {
		return failure.Wrap(failure.ConfigError, err, "--inject %s: the fault cannot be planted in this service", fault.Name)
	}
	if err := l.txn.Put(set); err != nil {
		return err
	}
	inj := &Injection{Fault: fault.Name, What: fault.What, Seed: l.in.Seed, Expected: string(fault.Class), Files: set.Paths(), Found: []string{}}
	if site != nil {
		if site.Class != "" {
			inj.Expected = string(site.Class) // the operator's class, as this site makes it (a dropped syscall is undefined, not an import)
		}
		inj.Site = fmt.Sprintf("%s:%d (%s)", site.File, site.Line, site.Func)
		inj.Before, inj.After = site.Before, site.After
	}
	if p, err := set.Patch(); err == nil {
		inj.Patch = l.write("inject/"+fault.Name+".patch", []byte(p))
	}
	l.out.Inject = inj
	if l.deployed != nil {
		l.stale = true
	}
	fmt.Fprintf(l.env.Log, "injected %s: %s (%s)\n", fault.Name, fault.What, strings.Join(append(inj.Files, inj.Site), ", "))
	l.event(map[string]any{"decision": "inject-fault", "fault": fault.Name, "site": inj.Site, "patch": inj.Patch})
	return ctx.Err()
}

// found records what the classifier said of the first run's failures.
func (l *loop) found(fs []triage.Failure) {
	if l.out.Inject == nil || len(l.out.Iterations) > 0 {
		return
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[string(f.Class)] {
			seen[string(f.Class)] = true
			l.out.Inject.Found = append(l.out.Inject.Found, string(f.Class))
		}
	}
	if len(l.out.Flaky) > 0 && !seen[string(failure.Flaky)] {
		l.out.Inject.Found = append(l.out.Inject.Found, string(failure.Flaky))
	}
}

// restore puts the workdir back as it was before an injected fault: the
// fault and the loop's fixes are evidence in the artifacts, not changes
// to keep. Without an injection the kept fixes stay.
func (l *loop) restore() {
	for _, p := range l.cleanup {
		_ = os.Remove(p)
	}
	if l.out.Inject == nil {
		return
	}
	files, err := l.txn.Restore()
	if err != nil {
		fmt.Fprintf(l.env.Log, "restore after --inject: %v\n", err)
		return
	}
	l.out.Inject.Restored = true
	fmt.Fprintf(l.env.Log, "restored %s as it was before the injected fault\n", strings.Join(files, ", "))
}
