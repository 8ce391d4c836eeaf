package mutation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// bench is where the mutants run: a scratch directory for overlays and
// binaries, the original suite's results and coverage, and the compiled
// acceptance tests.
type bench struct {
	g        gotool.Go
	quiet    gotool.Go // for the mutants' runs: the phase log gets a line per mutant instead
	in       Input
	svc      string            // the service directory, absolute
	tmp      string            // scratch, removed at the end
	module   string            // the service's module path
	base     map[string]string // overlay entries of every run: this phase's earlier tests hidden
	own      map[string]bool   // test files this phase wrote in an earlier run
	unit     bool              // the service has unit tests
	serve    bool              // a mutant's test binary is also its service (binary.go)
	e2e      []string          // compiled acceptance test binaries
	unitCov  cover
	e2eCov   cover
	e2eAll   bool            // no coverage from the acceptance tests: they run against every mutant
	flaky    map[string]bool // "unit TestX": failed on the original at least once
	unitTime time.Duration   // one run of the unit tests on the original
}

// newBench checks that the tests pass on the original code, twice, and
// records what they cover. The score of a red suite would mean nothing.
func newBench(ctx context.Context, env phase.Env, in Input) (*bench, error) {
	tmp, err := os.MkdirTemp("", "orchestrate-mutation-*")
	if err != nil {
		return nil, err
	}
	b := &bench{g: in.Go.Or(env.Log, nil), quiet: in.Go.Or(io.Discard, nil), in: in, tmp: tmp, flaky: map[string]bool{},
		svc: filepath.Join(in.Workdir, filepath.FromSlash(in.Spec.Dir))}
	gomod, err := os.ReadFile(filepath.Join(b.svc, "go.mod"))
	if err != nil {
		return b, fmt.Errorf("mutation: %w: run the scaffold phase first", err)
	}
	b.module = modulePath(gomod)
	if err := b.hideOwn(); err != nil {
		return b, err
	}
	b.serve = b.canServe()
	if err := b.baselineUnit(ctx, env); err != nil {
		return b, err
	}
	if err := b.baselineE2E(ctx, env); err != nil {
		return b, err
	}
	b.recordTool(ctx, env)
	return b, nil
}

func (b *bench) close() { _ = os.RemoveAll(b.tmp) }

// recordTool says how the mutants will run, in the log and the tool log.
func (b *bench) recordTool(ctx context.Context, env phase.Env) {
	tool, why := "go test -overlay + go build -overlay", "A mutant is an overlay over one file, so every run reuses the build cache; the acceptance tests run against the mutant's binary on a loopback port, no container per mutant."
	if b.serve {
		tool, why = "go test -c -overlay + go build -overlay", "A mutant is an overlay over one file, so every run reuses the build cache; the test binary of a mutant the unit tests cover runs them and, started as the service on a loopback port, answers the acceptance tests (one link per mutant); no container per mutant."
		fmt.Fprintln(env.Log, "each mutant the unit tests cover: one test binary (go test -c), run for the unit tests and started as the service for the acceptance tests")
	} else if b.unit {
		fmt.Fprintln(env.Log, "each mutant: go test, then go build for the acceptance tests (the package is not main, has a TestMain of its own or a test file with an init function)")
	}
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: Name, Tool: tool, Version: b.g.Version(ctx),
		Role: "mutation testing: the unit tests and the acceptance tests against each mutant", Why: why})
}

// hideOwn hides the tests this phase wrote in an earlier run, so the score
// before is the suite the other phases built, in a fresh workdir or not.
func (b *bench) hideOwn() error {
	dir := workspace.Dir{Workdir: b.in.Workdir, Rel: b.in.Spec.Dir, Phase: Name}
	owned, err := dir.Owned()
	if err != nil {
		return err
	}
	b.base, b.own = map[string]string{}, map[string]bool{}
	for p := range owned {
		b.base[filepath.Join(b.svc, filepath.FromSlash(p))] = ""
		b.own[p] = true
	}
	tests, _ := filepath.Glob(filepath.Join(b.svc, "*_test.go"))
	for _, t := range tests {
		if !b.own[filepath.Base(t)] {
			b.unit = true
		}
	}
	return nil
}

// overlay writes an overlay file: the base entries plus extra (absolute
// path to replacement file; "" deletes).
func (b *bench) overlay(dir string, extra map[string]string) (string, error) {
	r := map[string]string{}
	for k, v := range b.base {
		r[k] = v
	}
	for k, v := range extra {
		r[k] = v
	}
	data, err := json.Marshal(map[string]any{"Replace": r})
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "overlay.json")
	return p, os.WriteFile(p, data, 0o644)
}

// baselineUnit runs the unit tests on the original twice, the first time
// with coverage.
func (b *bench) baselineUnit(ctx context.Context, env phase.Env) error {
	if !b.unit {
		fmt.Fprintln(env.Log, "no unit tests: mutants are tested by the acceptance tests alone")
		return nil
	}
	ov, err := b.overlay(b.tmp, nil)
	if err != nil {
		return err
	}
	prof := filepath.Join(b.tmp, "unit.cov")
	for i := 0; i < 2; i++ {
		args := []string{"test", "-overlay", ov, "-vet=off", "-count=1", "-json", "-timeout", "2m"}
		if i == 0 {
			args = append(args, "-covermode=set", "-coverprofile="+prof)
		}
		start := time.Now()
		r, err := b.g.Run(ctx, b.svc, append(args, ".")...)
		if err != nil {
			return err
		}
		b.unitTime = max(b.unitTime, time.Since(start))
		rep := gotool.ParseTestJSON([]byte(r.Output))
		if !r.OK() && len(rep.Failed()) == 0 {
			where, _ := env.Art.Write("logs/unit-original.txt", []byte(r.Output))
			return &failure.Error{Class: failure.CompileError, Where: env.Art.Rel("logs/unit-original.txt"),
				Message: "mutation: the unit tests do not run on the original code (" + gotool.FirstError(rep.Output) + "); fix them first: " + where}
		}
		for _, t := range rep.Failed() {
			b.flaky["unit "+t.Test] = true
		}
	}
	b.unitCov, err = readCover(prof, b.module)
	return err
}

// baselineE2E builds the original with coverage, runs the acceptance
// tests against it twice, and reads what they covered.
func (b *bench) baselineE2E(ctx context.Context, env phase.Env) error {
	tests := filepath.Join(b.in.Workdir, filepath.FromSlash(b.in.Spec.TestsDir))
	if _, err := os.Stat(filepath.Join(tests, "go.mod")); err != nil {
		fmt.Fprintf(env.Log, "no acceptance tests (%s/go.mod): mutants are tested by the unit tests alone\n", b.in.Spec.TestsDir)
		return nil
	}
	bins := filepath.Join(b.tmp, "e2e") + string(os.PathSeparator)
	r, err := b.g.Run(ctx, tests, "test", "-c", "-o", bins, "./...")
	if err != nil {
		return err
	}
	if !r.OK() {
		_, _ = env.Art.Write("logs/e2e-compile.txt", []byte(r.Output))
		return &failure.Error{Class: failure.CompileError, Where: env.Art.Rel("logs/e2e-compile.txt"),
			Message: "mutation: the acceptance tests do not compile: " + gotool.FirstError(r.Output)}
	}
	b.e2e, _ = filepath.Glob(bins + "*.test")
	sort.Strings(b.e2e)
	covdir := filepath.Join(b.tmp, "covdata")
	if err := os.MkdirAll(covdir, 0o755); err != nil {
		return err
	}
	ov, err := b.overlay(b.tmp, nil)
	if err != nil {
		return err
	}
	bin := filepath.Join(b.tmp, "original")
	if r, err := b.g.Run(ctx, b.svc, "build", "-overlay", ov, "-cover", "-covermode=set", "-o", bin, "."); err != nil || !r.OK() {
		return fmt.Errorf("mutation: build the original with coverage: %v%s", err, r.Output)
	}
	for i := 0; i < 2; i++ {
		res, err := b.acceptance(ctx, bin, []string{"GOCOVERDIR=" + covdir}, 2*time.Minute)
		if err != nil {
			return err
		}
		if res.timedOut || (len(res.failed) == 0 && !res.ok) {
			_, _ = env.Art.Write("logs/e2e-original.txt", []byte(res.output))
			return &failure.Error{Class: failure.AssertionFailure, Where: env.Art.Rel("logs/e2e-original.txt"),
				Message: "mutation: the acceptance tests do not pass on the original code; the test phase must pass first"}
		}
		for _, t := range res.failed {
			b.flaky["e2e "+t] = true
		}
	}
	if counters, _ := filepath.Glob(filepath.Join(covdir, "covcounters.*")); len(counters) == 0 {
		fmt.Fprintln(env.Log, "the service wrote no coverage when stopped with SIGTERM (it does not return from main): the acceptance tests run against every mutant")
		b.e2eAll = true
		return nil
	}
	prof := filepath.Join(b.tmp, "e2e.cov")
	if r, err := b.g.Run(ctx, b.svc, "tool", "covdata", "textfmt", "-i", covdir, "-o", prof); err != nil || !r.OK() {
		return fmt.Errorf("mutation: read the acceptance tests' coverage: %v%s", err, r.Output)
	}
	b.e2eCov, err = readCover(prof, b.module)
	return err
}

func (b *bench) unreliableList() []string {
	var out []string
	for t := range b.flaky {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// rel is a site's file relative to the service directory.
func (b *bench) rel(file string) string {
	return strings.TrimPrefix(file, strings.TrimSuffix(b.in.Spec.Dir, "/")+"/")
}
