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
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// BenchmarkLintReference runs the phase on a copy of the reference service
// and its tests, with every default analyzer and with go vet's alone. Each
// run is a child process so its peak memory (max RSS) is its own:
//
//	go test ./pkg/lint -run XXX -bench LintReference -benchtime 3x
func BenchmarkLintReference(b *testing.B) {
	for _, c := range []struct{ name, checks string }{{"default", ""}, {"vet-only", "vet"}} {
		b.Run(c.name, func(b *testing.B) {
			var peak int64
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestLintChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "LINT_BENCH_CHILD=1", "LINT_BENCH_CHECKS="+c.checks)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
					peak = ru.Maxrss
				}
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
		})
	}
}

// TestLintChild is the benchmark's child process; it does nothing unless
// the benchmark started it.
func TestLintChild(t *testing.T) {
	if os.Getenv("LINT_BENCH_CHILD") == "" {
		t.Skip("run by BenchmarkLintReference")
	}
	h := phasetest.Bare(t, "lint")
	for _, d := range []string{"service", "tests"} {
		if err := os.CopyFS(filepath.Join(h.Workdir, d), os.DirFS(filepath.Join(phasetest.Root(), d))); err != nil {
			t.Fatal(err)
		}
	}
	var checks []string
	if c := os.Getenv("LINT_BENCH_CHECKS"); c != "" {
		checks = strings.Split(c, ",")
	}
	start := time.Now()
	out, err := Run(context.Background(), h.Env, Input{Workdir: h.Workdir, Checks: checks, Golangci: "off", MaxPasses: config.Base(Settings).Phases.Lint.MaxPasses,
		Modules: []Module{{Dir: "service", Fix: true}, {Dir: "tests"}}, Policy: change.Policy{MaxLines: 80}})
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Log)
	}
	t.Logf("%d analyzers, %d findings, %s", len(out.Analyzers), out.After.Findings, time.Since(start))
}
