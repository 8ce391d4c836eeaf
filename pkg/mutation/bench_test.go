package mutation

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// BenchmarkReference runs the reference spec's mutation step (its
// phases.mutation settings, without the model) on the committed service
// and tests, and reports mutants per second on this machine. The target:
// at least 30 mutants in at most 30 seconds (s/step, the mutants' wall
// time; ns/op adds the runs on the original).
//
// Each iteration gets a build cache of its own, a copy of one seeded
// outside the timer the way a pipeline run leaves it before this phase:
// the original service built and tested (with coverage, as testgen runs
// it) and the acceptance tests compiled, so the standard library, the
// dependencies and the original package are cached and no mutant is.
//
//   - cold: that cache, as in a pipeline run's first mutation step.
//   - warm: the same, after one untimed run of the step, so every mutant's
//     compiled package is in the cache too (a second run on unchanged code).
//
// Run it alone on the machine (the phase uses every core):
//
//	go test -run '^$' -bench Reference/cold -benchtime 3x ./pkg/mutation
//	go test -run '^$' -bench Reference -benchtime 1x ./pkg/mutation
func BenchmarkReference(b *testing.B) {
	cfg := phasetest.Config(b, Settings)
	b.Run("cold", func(b *testing.B) { benchReference(b, cfg, false) })
	b.Run("warm", func(b *testing.B) { benchReference(b, cfg, true) })
}

func benchReference(b *testing.B, cfg *config.Config, warm bool) {
	seeded := seededCache(b, cfg)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cache := b.TempDir()
		if out, err := exec.Command("cp", "-a", seeded.cache+"/.", cache).CombinedOutput(); err != nil {
			b.Fatalf("copy the seeded build cache: %v\n%s", err, out)
		}
		if err := copyReference(cfg, seeded.workdir); err != nil {
			b.Fatal(err)
		}
		in := Input{Spec: cfg.Service, Workdir: seeded.workdir, Settings: cfg.Phases.Mutation, Go: gotool.Go{Extra: []string{"GOCACHE=" + cache}}}
		in.Settings.Generate = 0
		if warm {
			if _, err := Run(context.Background(), phasetest.Bare(b, Name).Env, in); err != nil {
				b.Fatal(err)
			}
		}
		h := phasetest.Bare(b, Name)
		b.StartTimer()
		out, err := Run(context.Background(), h.Env, in)
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v\n%s", err, h.Log)
		}
		n := out.Sampled - out.Counts.NotRun
		if n < 30 || out.Seconds > 30 {
			b.Logf("%d mutants in %.1fs; the target is at least 30 in at most 30s", n, out.Seconds)
		}
		b.ReportMetric(out.PerSecond, "mutants/s")
		b.ReportMetric(out.Seconds, "s/step")
		b.ReportMetric(float64(n), "mutants")
		if out.Score != nil {
			b.ReportMetric(*out.Score, "score")
		}
	}
}

// copyReference puts a fresh copy of the reference service and its
// tests in workdir.
func copyReference(cfg *config.Config, workdir string) error {
	if err := os.RemoveAll(workdir); err != nil {
		return err
	}
	for _, d := range []string{cfg.Service.Dir, cfg.Service.TestsDir} {
		if err := os.CopyFS(filepath.Join(workdir, d), os.DirFS(filepath.Join(phasetest.Root(), d))); err != nil {
			return err
		}
	}
	return nil
}

// seeded is a build cache as the phases before mutation leave it, and
// the workdir they ran in: the compiled original is cached under its
// directory, so every iteration reuses the same path.
type seedCache struct {
	once           sync.Once
	dir            string
	cache, workdir string
	err            error
}

var seeded seedCache

// seededCache makes the seeded cache once per test binary: the service
// built, its unit tests run with coverage (testgen) and without (the test
// phase), the acceptance tests compiled. The go command runs with the
// phases' pinned environment, so the cache keys are theirs.
func seededCache(b *testing.B, cfg *config.Config) *seedCache {
	b.Helper()
	seeded.once.Do(func() { seeded.err = seed(cfg) })
	if seeded.err != nil {
		b.Fatal(seeded.err)
	}
	return &seeded
}

func seed(cfg *config.Config) error {
	dir, err := os.MkdirTemp("", "orchestrate-bench-*")
	if err != nil {
		return err
	}
	seeded.dir, seeded.cache, seeded.workdir = dir, filepath.Join(dir, "cache"), filepath.Join(dir, "wd")
	if err := copyReference(cfg, seeded.workdir); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "tmp")
	g := gotool.Go{Extra: []string{"GOCACHE=" + seeded.cache}}
	svc, tests := filepath.Join(seeded.workdir, cfg.Service.Dir), filepath.Join(seeded.workdir, cfg.Service.TestsDir)
	for _, c := range []struct {
		dir  string
		args []string
	}{
		{svc, []string{"build", "-o", filepath.Join(tmp, "service"), "."}},
		{svc, []string{"test", "-count=1", "-json", "-cover", "."}},
		{svc, []string{"test", "-count=1", "-json", "./..."}},
		{tests, []string{"test", "-c", "-o", tmp + string(os.PathSeparator), "./..."}},
	} {
		r, err := g.Run(context.Background(), c.dir, c.args...)
		if err == nil && !r.OK() {
			err = fmt.Errorf("exit %d", r.ExitCode)
		}
		if err != nil {
			return fmt.Errorf("seed the build cache: go %s: %v\n%s", strings.Join(c.args, " "), err, r.Output)
		}
	}
	return os.RemoveAll(tmp)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seeded.dir != "" {
		_ = os.RemoveAll(seeded.dir)
	}
	os.Exit(code)
}
