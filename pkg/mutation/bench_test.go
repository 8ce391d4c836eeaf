package mutation

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// BenchmarkReference runs the reference spec's mutation step (its
// phases.mutation settings, without the model) on the committed service
// and tests, and reports mutants per second on this machine. The target:
// at least 30 mutants in at most 30 seconds.
//
//	go test -run '^$' -bench Reference -benchtime 1x ./pkg/mutation
func BenchmarkReference(b *testing.B) {
	cfg := phasetest.Config(b)
	root := phasetest.Root()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		wd := b.TempDir()
		for _, d := range []string{cfg.Service.Dir, cfg.Service.TestsDir} {
			if err := os.CopyFS(filepath.Join(wd, d), os.DirFS(filepath.Join(root, d))); err != nil {
				b.Fatal(err)
			}
		}
		in := Input{Spec: cfg.Service, Workdir: wd, Settings: config.Get[Config](cfg, Name)}
		in.Settings.Generate = 0
		h := phasetest.Bare(b, Name)
		b.StartTimer()
		out, err := Run(context.Background(), h.Env, in)
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
