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
)

// Fault is a known fault `orchestrate run --inject` plants in the
// scaffolded service, so the loop can be seen (and tested) at work.
type Fault struct {
	Name  string
	What  string
	Class failure.Class // what the classifier should say
	plant func(l *loop) (change.Set, error)
}

// Faults lists the faults --inject knows, by name.
func Faults() []Fault {
	return []Fault{
		{"unused-import", "an import the handlers do not use", failure.ImportError, editHandlers(`import (`+"\n", `import (`+"\n\t\"bufio\"\n")},
		{"missing-import", "the handlers use strings without importing it", failure.ImportError, editHandlers("\t\"strings\"\n", "")},
		{"wrong-status", "an accepted deploy event is answered 200 instead of 202", failure.AssertionFailure,
			editHandlers("writeJSON(w, http.StatusAccepted, out)", "writeJSON(w, http.StatusOK, out)")},
		{"wrong-port", "the service listens on a port the compose file does not publish", failure.ServiceUnreachable, wrongPort},
		{"panic", "a nil map write on the failed-deploy path", failure.Panic,
			editHandlers("\tif ev.Status == \"failed\" {\n", "\tif ev.Status == \"failed\" {\n\t\tvar seen map[string]bool\n\t\tseen[ev.Service] = true\n")},
		{"flaky-test", "a unit test that fails on its first run only", failure.Flaky, flakyTest},
	}
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

// Injection records what was planted.
type Injection struct {
	Fault    string   `json:"fault"`
	What     string   `json:"what"`
	Expected string   `json:"expected_class"`
	Files    []string `json:"files"`
	Patch    string   `json:"patch"`
	Restored bool     `json:"restored"` // the workdir is as it was before the fault, at the end
}

func editHandlers(old, new string) func(l *loop) (change.Set, error) {
	return func(l *loop) (change.Set, error) {
		return change.Build(l.in.Workdir, []change.Edit{{Path: l.in.Spec.Dir + "/handlers.go", Old: old, New: new}}, nil)
	}
}

func wrongPort(l *loop) (change.Set, error) {
	file := l.in.Deploy.Compose
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
			f := f
			fault = &f
		}
	}
	if fault == nil {
		return failure.New(failure.ConfigError, "--inject %q: not a known fault; use one of %s", l.in.Inject, strings.Join(FaultNames(), ", "))
	}
	set, err := fault.plant(l)
	if err != nil {
		return failure.Wrap(failure.ConfigError, err, "--inject %s: the fault cannot be planted in this service (it is written for the reference service)", fault.Name)
	}
	if err := l.txn.Put(set); err != nil {
		return err
	}
	inj := &Injection{Fault: fault.Name, What: fault.What, Expected: string(fault.Class), Files: set.Paths()}
	if p, err := set.Patch(); err == nil {
		inj.Patch = l.write("inject/"+fault.Name+".patch", []byte(p))
	}
	l.out.Inject = inj
	if l.deployed != nil {
		l.stale = true
	}
	fmt.Fprintf(l.env.Log, "injected %s: %s (%s)\n", fault.Name, fault.What, strings.Join(inj.Files, ", "))
	_ = l.env.Art.Event("decision", map[string]any{"decision": "inject-fault", "fault": fault.Name, "patch": inj.Patch})
	return ctx.Err()
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
