package lint

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// BenchmarkLintReference runs the phase on a copy of the reference service
// and its tests with every default analyzer: in-process (how the phase
// analysed before the go vet path) and through go vet with this test
// binary as the vet tool. Each starts from its own go build cache: empty
// (cold); filled by go build and go test -run '^$' of both modules, as an
// earlier step or a developer's build leaves it, so only the analysis is
// new (built); or filled by one run of the phase in the same directory
// (warm, a re-run with nothing changed). Each run is a child process so
// its peak memory (max RSS: the largest of it and of the go and vet tool
// processes it waited for) is its own. Figures: pkg/lint/BENCHMARK.md.
//
//	go test ./pkg/lint -run XXX -bench LintReference -benchtime 1x
func BenchmarkLintReference(b *testing.B) {
	for _, c := range []struct {
		name, checks, cache string
		inProcess           bool
	}{
		{"in-process/cold", "", "cold", true}, {"in-process/warm", "", "warm", true},
		{"go-vet/cold", "", "cold", false}, {"go-vet/built", "", "built", false}, {"go-vet/warm", "", "warm", false},
		{"vet-only/go-vet/warm", "vet", "warm", false},
	} {
		b.Run(c.name, func(b *testing.B) {
			var peak int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				wd := b.TempDir()
				env := append(os.Environ(), "LINT_BENCH_CHILD=1", "LINT_BENCH_CHECKS="+c.checks, "GOCACHE="+b.TempDir(), "LINT_BENCH_WORKDIR="+wd)
				if c.inProcess {
					env = append(env, "LINT_BENCH_INPROCESS=1")
				}
				switch c.cache {
				case "built":
					build(b, env, wd)
				case "warm":
					lintChild(b, env)
				}
				b.StartTimer()
				if p := lintChild(b, env); p > peak {
					peak = p
				}
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
		})
	}
}

// build fills the go build cache in env as building and test-compiling
// the reference modules in wd does.
func build(b *testing.B, env []string, wd string) {
	for _, d := range []string{"service", "tests"} {
		if err := os.CopyFS(filepath.Join(wd, d), os.DirFS(filepath.Join(phasetest.Root(), d))); err != nil {
			b.Fatal(err)
		}
		for _, args := range [][]string{{"build", "./..."}, {"test", "-count=1", "-run", "^$", "./..."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir, cmd.Env = filepath.Join(wd, d), env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), d, err, out)
			}
		}
	}
}

// lintChild runs the phase in a child process and returns its peak RSS in
// KiB.
func lintChild(b *testing.B, env []string) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLintChild$", "-test.count=1")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// TestLintChild is the benchmark's child process; it does nothing unless
// the benchmark started it.
func TestLintChild(t *testing.T) {
	if os.Getenv("LINT_BENCH_CHILD") == "" {
		t.Skip("run by BenchmarkLintReference")
	}
	h := phasetest.Bare(t, "lint")
	// A warm run analyses the same directory as the run before it, as a
	// re-run of the pipeline does: go vet's cache keys name the package's
	// directory.
	wd := h.Workdir
	if d := os.Getenv("LINT_BENCH_WORKDIR"); d != "" {
		wd = d
	}
	for _, d := range []string{"service", "tests"} {
		if err := os.RemoveAll(filepath.Join(wd, d)); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(filepath.Join(wd, d), os.DirFS(filepath.Join(phasetest.Root(), d))); err != nil {
			t.Fatal(err)
		}
	}
	var checks []string
	if c := os.Getenv("LINT_BENCH_CHECKS"); c != "" {
		checks = strings.Split(c, ",")
	}
	start := time.Now()
	out, err := Run(context.Background(), h.Env, Input{Workdir: wd, Checks: checks, Golangci: "off", MaxPasses: Settings.Default.(Config).MaxPasses,
		Modules: []Module{{Dir: "service", Fix: true}, {Dir: "tests"}}, Policy: change.Policy{MaxLines: 80}})
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	t.Logf("%d analyzers, %d findings, %s", len(out.Analyzers), out.After.Findings, time.Since(start))
}
