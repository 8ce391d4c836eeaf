package deploy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// The image assembled from the generated Dockerfile runs and answers, and
// its config is the one `docker build` makes of the same Dockerfile and
// binary (labels, user, env, port, healthcheck, entrypoint), in one layer.
func TestAssembledImageRunsLikeTheBuiltOne(t *testing.T) {
	h := phasetest.Bare(t, "deploy")
	in := withHealthEndpoint(setup(t, h, compose("${FIXTURE_PORT:-}", "healthy")))
	generate(t, h.Workdir, generatedDockerfile, generatedDockerfile)
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	defer h.Cleanup(t)
	if out.Image.MadeBy != Assembled || out.Services[0].Health != "healthy" || out.Services[0].ReadyBy == "" {
		t.Fatalf("image %+v, service %+v", out.Image, out.Services[0])
	}
	resp, err := http.Get(out.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/healthz: %v %v", out.URL, resp, err)
	}
	resp.Body.Close()

	eng := engine(t)
	built := builtByDocker(t, eng, h.Workdir, in.RunID)
	ctx := context.Background()
	a, err := eng.C.ImageInspect(ctx, out.Image.Tag)
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.C.ImageInspect(ctx, built)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != out.Image.ID || a.Os != b.Os || a.Architecture != b.Architecture || len(a.RootFS.Layers) != 1 || len(b.RootFS.Layers) != 1 {
		t.Errorf("assembled %s %s/%s %d layers; built %s/%s %d layers", a.ID, a.Os, a.Architecture, len(a.RootFS.Layers), b.Os, b.Architecture, len(b.RootFS.Layers))
	}
	if !reflect.DeepEqual(a.Config, b.Config) {
		t.Errorf("config assembled\n%+v\nbuilt\n%+v", a.Config, b.Config)
	}
}

// builtByDocker builds the service directory's Dockerfile around a fresh
// static build of its binary with `docker build`, labelled as the run's.
func builtByDocker(t *testing.T, eng *docker.Engine, workdir, run string) string {
	t.Helper()
	dir := filepath.Join(workdir, "service")
	bin := filepath.Join(t.TempDir(), "fixture")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	tarCtx, err := docker.Context(map[string]string{"Dockerfile": filepath.Join(dir, "Dockerfile"), "fixture": bin})
	if err != nil {
		t.Fatal(err)
	}
	tag := "fixture-built:" + run
	if _, err := eng.Build(context.Background(), tarCtx, "Dockerfile", []string{tag}, docker.WithWorkdir(docker.Labels(run, "fixture"), workdir), io.Discard); err != nil {
		t.Fatal(err)
	}
	return tag
}

// A load that breaks off, or whose context ends, leaves no image behind:
// not by the tag, not by the id, not by the run's labels.
func TestInterruptedLoadLeavesNothing(t *testing.T) {
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	eng := engine(t)
	binDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(binDir, "fixture"), bytes.Repeat([]byte("x"), 4<<20), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := readPlan(generatedDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	d := &deployer{env: h.Env, in: in, binDir: binDir}
	img, err := d.image(types.ServiceConfig{Name: "fixture", WorkloadSpec: types.WorkloadSpec{Build: &types.BuildConfig{Context: binDir}}}, &p)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := img.ConfigName()
	tag := "fixture:" + in.RunID
	ref, _ := name.NewTag(tag)
	for _, tc := range []struct {
		name  string
		write func(ctx context.Context, cancel func(), w io.Writer) error
	}{
		{"the writer fails half-way", func(_ context.Context, _ func(), w io.Writer) error {
			_ = tarball.Write(ref, img, &limited{w: w, n: 2 << 20})
			return errors.New("interrupted")
		}},
		{"the writer fails after the whole image", func(_ context.Context, _ func(), w io.Writer) error {
			if err := tarball.Write(ref, img, w); err != nil {
				return err
			}
			return errors.New("interrupted")
		}},
		{"the context ends half-way", func(ctx context.Context, cancel func(), w io.Writer) error {
			_ = tarball.Write(ref, img, &limited{w: w, n: 2 << 20})
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := eng.Load(ctx, tag, id.String(), func(w io.Writer) error { return tc.write(ctx, cancel, w) }, io.Discard)
			if err == nil {
				t.Fatal("the load succeeded")
			}
			for _, ref := range []string{tag, id.String()} {
				if _, err := eng.C.ImageInspect(context.Background(), ref); err == nil {
					t.Errorf("image %s is still there after: %v", ref, err)
				}
			}
			f := client.Filters{}.Add("label", docker.LabelRun+"="+in.RunID)
			if is, _ := eng.C.ImageList(context.Background(), client.ImageListOptions{All: true, Filters: f}); len(is.Items) > 0 {
				t.Errorf("%d images of the run are left", len(is.Items))
			}
		})
	}
	// And whole, the same image loads.
	if _, err := eng.Load(context.Background(), tag, id.String(), func(w io.Writer) error { return tarball.Write(ref, img, w) }, io.Discard); err != nil {
		t.Fatalf("load: %v", err)
	}
}

// limited writes the first n bytes, then fails.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.w.Write(p)
	l.n -= n
	if err == nil && l.n == 0 {
		err = errors.New("stop")
	}
	return n, err
}
