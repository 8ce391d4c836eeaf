package mutation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/mutate"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// runAll runs the mutants on workers in parallel, the slow ones first
// (see slowFirst); a mutant not started when the budget is spent is not
// run. It returns the number of workers.
func (b *bench) runAll(ctx context.Context, env phase.Env, ms []*Mutant, s Config) int {
	workers := s.Workers
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	deadline := time.Now().Add(s.Budget)
	jobs := make(chan *Mutant)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				b.one(ctx, env, m)
				fmt.Fprintf(env.Log, "%-15s %s (%.1fs)%s\n", m.Status, m.ID, m.Seconds, by(m))
			}
		}()
	}
	for _, m := range b.slowFirst(ms) {
		if m.Status == Equivalent {
			continue
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			m.Status, m.Detail = NotRun, "the budget (phases.mutation.budget) was spent before it started"
			continue
		}
		jobs <- m
	}
	close(jobs)
	wg.Wait()
	return workers
}

// slowFirst orders the mutants for the workers: first those only the
// acceptance tests cover, which start a service (and wait for its health
// when the mutant breaks it), then the others, each group in ID order. A
// long mutant started last would keep one worker busy while the others
// have nothing left to do.
func (b *bench) slowFirst(ms []*Mutant) []*Mutant {
	var first, rest []*Mutant
	for _, m := range ms {
		if byUnit, byE2E := b.suites(m); byE2E && !byUnit {
			first = append(first, m)
		} else {
			rest = append(rest, m)
		}
	}
	return append(first, rest...)
}

// suites says which suites run the mutant's line: the unit tests, the
// acceptance tests.
func (b *bench) suites(m *Mutant) (byUnit, byE2E bool) {
	rel := b.rel(m.File)
	return b.unit && b.unitCov.covers(rel, m.Line), len(b.e2e) > 0 && (b.e2eAll || b.e2eCov.covers(rel, m.Line))
}

// one plants the mutant in an overlay and runs the tests that cover its
// line: the unit tests first, then, when they do not kill it, the
// acceptance tests against its binary.
func (b *bench) one(ctx context.Context, env phase.Env, m *Mutant) {
	start := time.Now()
	defer func() { m.Seconds = round(time.Since(start).Seconds()) }()
	byUnit, byE2E := b.suites(m)
	if !byUnit && !byE2E {
		m.Status = NotCovered
		return
	}
	dir, err := os.MkdirTemp(b.tmp, "m-*")
	if err != nil {
		m.Status, m.Detail = DidNotCompile, err.Error()
		return
	}
	defer os.RemoveAll(dir)
	var extra map[string]string
	if b.serve && byUnit {
		extra = map[string]string{filepath.Join(b.svc, serveFile): serveMain}
	}
	ov, err := b.plant(env, m, dir, extra)
	if err != nil {
		m.Status, m.Detail = DidNotCompile, err.Error()
		return
	}
	if b.serve && byUnit {
		b.viaTestBinary(ctx, m, dir, ov, byE2E)
		return
	}
	if byUnit {
		if b.unitRun(ctx, m, ov); m.Status != Survived {
			return
		}
	}
	if byE2E {
		b.e2eRun(ctx, m, dir, ov)
	}
}

// plant writes the mutant's file and the overlay that puts it in place.
func (b *bench) plant(env phase.Env, m *Mutant, dir string, extra map[string]string) (string, error) {
	set, err := mutate.Mutate(b.in.Workdir, site(m))
	if err != nil {
		return "", err
	}
	f := set.Files[0]
	if m.Patch == "" && env.Art != nil {
		if patch, err := set.Patch(); err == nil {
			name := "mutants/" + slug(m.ID) + ".patch"
			if _, err := env.Art.Write(name, []byte(patch)); err == nil {
				m.Patch = env.Art.Rel(name)
			}
		}
	}
	repl := filepath.Join(dir, filepath.Base(f.Path))
	if err := os.WriteFile(repl, f.After, 0o644); err != nil {
		return "", err
	}
	over := map[string]string{filepath.Join(b.in.Workdir, filepath.FromSlash(f.Path)): repl}
	for abs, content := range extra {
		p := filepath.Join(dir, "extra-"+filepath.Base(abs))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
		over[abs] = p
	}
	return b.overlay(dir, over)
}

// unitRun runs the unit tests against the mutant with go test, for a
// service whose test binary cannot serve.
func (b *bench) unitRun(ctx context.Context, m *Mutant, ov string) {
	limit := b.unitLimit()
	args := append(append([]string{"test", "-overlay", ov, "-vet=off"}, buildFlags...), "-count=1", "-json", "-timeout", limit.String(), ".")
	r, err := b.quiet.Run(ctx, b.svc, args...)
	rep := gotool.ParseTestJSON([]byte(r.Output))
	switch {
	case err != nil:
		m.Status, m.Detail = TimedOut, err.Error()
	case strings.Contains(rep.Output, "[build failed]") || strings.Contains(rep.Output, "[setup failed]"):
		m.Status, m.Detail = DidNotCompile, gotool.FirstError(gotool.Relative(rep.Output, b.svc))
	case strings.Contains(r.Output, "panic: test timed out"):
		m.Status, m.Detail = TimedOut, "the unit tests did not finish in "+limit.String()
	default:
		var failed []string
		for _, t := range rep.Failed() {
			failed = append(failed, t.Test)
		}
		b.unitVerdict(m, failed, r.OK())
	}
}

// unitLimit is the unit tests' timeout on a mutant: ten times their time
// on the original, at least ten seconds.
func (b *bench) unitLimit() time.Duration { return max(10*time.Second, 10*b.unitTime) }

// unitVerdict is the unit tests' verdict on a mutant from the top-level
// tests that failed and whether the test binary succeeded.
func (b *bench) unitVerdict(m *Mutant, failed []string, ok bool) {
	m.By = b.kills("unit", failed)
	if len(failed) == 0 && !ok {
		m.By = []string{"unit (the test binary failed outside any test)"}
	}
	m.Status = Survived
	if len(m.By) > 0 {
		m.Status = Killed
	}
}

// e2eRun builds the mutant's service binary and runs the acceptance
// tests against it.
func (b *bench) e2eRun(ctx context.Context, m *Mutant, dir, ov string) {
	bin := filepath.Join(dir, "service")
	r, err := b.quiet.Run(ctx, b.svc, append(append([]string{"build", "-overlay", ov}, buildFlags...), "-o", bin, ".")...)
	if err != nil || !r.OK() {
		m.Status, m.Detail = DidNotCompile, gotool.FirstError(gotool.Relative(r.Output, b.svc))
		return
	}
	b.e2eAgainst(ctx, m, bin, nil)
}

// e2eAgainst runs the acceptance tests against the mutant's binary, bin
// started with env added.
func (b *bench) e2eAgainst(ctx context.Context, m *Mutant, bin string, env []string) {
	res, err := b.acceptance(ctx, bin, env, time.Minute)
	switch {
	case err != nil:
		m.Status, m.Detail = TimedOut, err.Error()
	case res.timedOut:
		m.Status, m.Detail = TimedOut, "the acceptance tests did not finish in a minute"
	default:
		m.By = b.kills("e2e", res.failed)
		m.Status = Survived
		if len(m.By) == 0 && !res.ok {
			m.By = []string{"e2e (the test binary failed outside any test)"}
		}
		if len(m.By) > 0 {
			m.Status = Killed
		}
	}
}

func slug(id string) string {
	r := strings.NewReplacer("@", "-", "/", "-", ":", "-", "+", "-")
	return r.Replace(id)
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// site is the mutate.Site a mutant was made from.
func site(m *Mutant) mutate.Site {
	return mutate.Site{ID: m.ID, Operator: m.Operator, File: m.File, Line: m.Line, Before: m.Before, After: m.After}
}

func by(m *Mutant) string {
	switch {
	case len(m.By) > 0:
		return ": " + strings.Join(m.By, ", ")
	case m.Detail != "":
		return ": " + m.Detail
	}
	return ""
}
