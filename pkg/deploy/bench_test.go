package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// BenchmarkDeployReference deploys the repository's reference service and
// reports where the time goes and how big the image is:
//
//	go test ./pkg/deploy -run XXX -bench DeployReference -benchtime 3x
func BenchmarkDeployReference(b *testing.B) {
	eng, err := docker.Connect(context.Background(), "")
	if err != nil {
		b.Skipf("Docker is unreachable: %v", err)
	}
	defer eng.Close()
	cfg := phasetest.Config(b, Settings)
	var bin, img, start, health, size float64
	for i := 0; i < b.N; i++ {
		h := phasetest.Bare(b, "deploy")
		src := filepath.Join(phasetest.Root(), "service")
		dst := filepath.Join(h.Workdir, "service")
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		run := fmt.Sprintf("bench-%d-%d", os.Getpid(), i)
		out, err := Run(context.Background(), h.Env, Input{Spec: cfg.Service, Workdir: h.Workdir, RunID: run,
			HealthTimeout: config.Get[Config](cfg, phase.Deploy).HealthTimeout, Environ: []string{"PATH=" + os.Getenv("PATH")}})
		h.Cleanup(b)
		if _, derr := eng.Down(context.Background(), run); derr != nil {
			b.Error(derr)
		}
		if err != nil {
			b.Fatalf("deploy: %v", err)
		}
		t := out.Timings
		bin, img, start, health = bin+t.BinarySeconds, img+t.ImageSeconds, start+t.StartSeconds, health+t.HealthSeconds
		size = float64(out.Image.SizeBytes)
	}
	n := float64(b.N)
	b.ReportMetric(bin/n, "binary-s/op")
	b.ReportMetric(img/n, "image-s/op")
	b.ReportMetric(start/n, "start-s/op")
	b.ReportMetric(health/n, "health-s/op")
	b.ReportMetric(size/1e6, "image-MB")
}
