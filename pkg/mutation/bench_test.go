package mutation

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
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
// Besides mutants/s and s/step (means over the iterations), cpu-s/op is
// the CPU time the step used, in this process and the commands it ran: on
// a machine shared with other work the wall time follows the load, the
// CPU time much less.
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
	var sum struct{ perSecond, seconds, cpu, mutants, score float64 }
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		in := freshInput(b, cfg, seeded)
		if warm {
			if _, err := Run(context.Background(), phasetest.Bare(b, Name).Env, in); err != nil {
				b.Fatal(err)
			}
		}
		h := phasetest.Bare(b, Name)
		cpu := cpuSeconds()
		b.StartTimer()
		out, err := Run(context.Background(), h.Env, in)
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v\n%s", err, h.Log)
		}
		n := out.Sampled - out.Counts.NotRun
		b.Logf("%d mutants in %.1fs (%.1f CPU seconds for the whole step)", n, out.Seconds, cpuSeconds()-cpu)
		if n < 30 || out.Seconds > 30 {
			b.Logf("the target is at least 30 mutants in at most 30s")
		}
		sum.perSecond += out.PerSecond
		sum.seconds += out.Seconds
		sum.cpu += cpuSeconds() - cpu
		sum.mutants += float64(n)
		if out.Score != nil {
			sum.score += *out.Score
		}
	}
	n := float64(b.N)
	b.ReportMetric(sum.perSecond/n, "mutants/s")
	b.ReportMetric(sum.seconds/n, "s/step")
	b.ReportMetric(sum.cpu/n, "cpu-s/op")
	b.ReportMetric(sum.mutants/n, "mutants")
	b.ReportMetric(sum.score/n, "score")
}

// freshInput is the step's input on a fresh copy of the reference
// service and a fresh copy of the seeded build cache.
func freshInput(b *testing.B, cfg *config.Config, seeded *seedCache) Input {
	cache := b.TempDir()
	if out, err := exec.Command("cp", "-a", seeded.cache+"/.", cache).CombinedOutput(); err != nil {
		b.Fatalf("copy the seeded build cache: %v\n%s", err, out)
	}
	if err := copyReference(cfg, seeded.workdir); err != nil {
		b.Fatal(err)
	}
	in := Input{Spec: cfg.Service, Workdir: seeded.workdir, Settings: config.Get[Config](cfg, Name), Go: gotool.Go{Extra: []string{"GOCACHE=" + cache}}}
	in.Settings.Generate = 0
	return in
}

// cpuSeconds is the CPU time of this process and of its children that
// were waited for: the go command, the compiler, the linker, the tests.
// Unlike the wall time, it hardly depends on what else the machine runs.
func cpuSeconds() float64 {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	t := 0.0
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		t += float64(tv.Sec) + float64(tv.Usec)/1e6
	}
	return t
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
	dir            string // removed at the end, unless $MUTATION_BENCH_SEED
	cache, workdir string
	err            error
}

var seeded seedCache

// seededCache makes the seeded cache once per test binary, or once in
// $MUTATION_BENCH_SEED, kept there for the next test binary (to compare
// two versions of the code on the same cache, alternately): the service
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
	dir, keep := os.Getenv("MUTATION_BENCH_SEED"), true
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "orchestrate-bench-*"); err != nil {
			return err
		}
		seeded.dir, keep = dir, false
	}
	seeded.cache, seeded.workdir = filepath.Join(dir, "cache"), filepath.Join(dir, "wd")
	done := filepath.Join(dir, "seeded")
	if _, err := os.Stat(done); err == nil && keep {
		return nil
	}
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
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	return os.WriteFile(done, nil, 0o644)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seeded.dir != "" {
		_ = os.RemoveAll(seeded.dir)
	}
	os.Exit(code)
}
