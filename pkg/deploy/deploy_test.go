package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// engine reaches the real daemon. -short skips the test; outside CI a
// missing daemon skips it with the reason; in CI (CI set) it fails it.
func engine(t *testing.T) *docker.Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker daemon (-short)")
	}
	eng, err := docker.Connect(context.Background(), "")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and Docker is unreachable: %v", err)
		}
		t.Skipf("Docker is unreachable: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// setup lays the fixture service out in a workdir with the given compose
// file and returns an Input for a fresh run id whose objects are removed
// by label when the test ends, whatever happened.
func setup(t *testing.T, h *phasetest.Harness, compose string) Input {
	t.Helper()
	eng := engine(t)
	b := make([]byte, 4)
	rand.Read(b)
	run := "test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if _, err := eng.Down(context.Background(), run); err != nil {
			t.Errorf("down %s: %v", run, err)
		}
		assertGone(t, eng, run)
	})
	dir := filepath.Join(h.Workdir, "service")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "main.go", "Dockerfile"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fixture", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	return Input{Spec: spec.Service{Name: "fixture", Dir: "service", Port: 8080}, Workdir: h.Workdir, RunID: run,
		HealthTimeout: 20 * time.Second, Environ: []string{"PATH=" + os.Getenv("PATH")}}
}

func assertGone(t *testing.T, eng *docker.Engine, run string) {
	t.Helper()
	f := client.Filters{}.Add("label", docker.LabelRun+"="+run)
	ctx := context.Background()
	cs, _ := eng.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	ns, _ := eng.C.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	is, _ := eng.C.ImageList(ctx, client.ImageListOptions{Filters: f})
	if n := len(cs.Items) + len(ns.Items) + len(is.Items); n > 0 {
		t.Errorf("run %s left %d containers, %d networks, %d images", run, len(cs.Items), len(ns.Items), len(is.Items))
	}
}

func compose(ports, mode string) string {
	return fmt.Sprintf(`name: fixture
services:
  fixture:
    build: .
    ports:
      - "%s:8080"
    environment:
      MODE: %s
    healthcheck:
      test: ["CMD", "/fixture", "-healthcheck"]
      interval: 300ms
      timeout: 1s
      retries: 2
`, ports, mode)
}

func class(err error) failure.Class {
	var fe *failure.Error
	if errors.As(err, &fe) {
		return fe.Class
	}
	return ""
}

func TestHealthyServiceThenCleanup(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	s := out.Services[0]
	if s.Health != "healthy" || s.Timeline[len(s.Timeline)-1].Health != "healthy" {
		t.Errorf("health %s, timeline %+v", s.Health, s.Timeline)
	}
	if out.Image.SizeBytes <= 0 || out.Image.Tag != "fixture:"+in.RunID || !strings.Contains(h.Read(t, out.Image.Log), "Step") {
		t.Errorf("image = %+v", out.Image)
	}
	resp, err := http.Get(out.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/healthz: %v %v", out.URL, resp, err)
	}
	resp.Body.Close()
	if !strings.Contains(h.Read(t, s.Log), "fixture starting") {
		t.Errorf("container log not kept")
	}
	h.Cleanup(t)
	assertGone(t, engine(t), in.RunID)
}

func TestFailingHealthcheck(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "unhealthy"))
	in.HealthTimeout = 3 * time.Second
	out, err := Run(context.Background(), h.Env, in)
	if class(err) != failure.HealthcheckFailed || !strings.Contains(err.Error(), "status 500") {
		t.Fatalf("err = %v, want healthcheck_failed quoting the probe", err)
	}
	if out.Services[0].Health != "unhealthy" {
		t.Errorf("health = %s", out.Services[0].Health)
	}
	h.Cleanup(t)
}

func TestContainerThatExits(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "exit"))
	_, err := Run(context.Background(), h.Env, in)
	if class(err) != failure.ContainerExited || !strings.Contains(err.Error(), "code 3") || !strings.Contains(err.Error(), "cannot read configuration") {
		t.Fatalf("err = %v, want container_exited with the exit code and last lines", err)
	}
	h.Cleanup(t)
}

func TestTakenPort(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)

	// Pinned by the user (the variable is set): port_conflict.
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT}", "healthy"))
	in.Environ = append(in.Environ, "FIXTURE_PORT="+taken)
	if _, err := Run(context.Background(), h.Env, in); class(err) != failure.PortConflict || !strings.Contains(err.Error(), taken) {
		t.Fatalf("err = %v, want port_conflict naming %s", err, taken)
	}
	h.Cleanup(t)

	// Only a default: another port is chosen, and said so.
	h = phasetest.Bare(t, "deploy")
	in = setup(t, h, compose("${FIXTURE_PORT:-"+taken+"}", "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	p := out.Services[0].Ports[0]
	if fmt.Sprint(p.Host) == taken || !strings.Contains(p.Why, "in use") {
		t.Errorf("port = %+v", p)
	}
	h.Cleanup(t)
}

func TestFailingDockerfileStep(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	df := filepath.Join(h.Workdir, "service", "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM scratch\nCOPY fixture /fixture\nCOPY settings.json /settings.json\nENTRYPOINT [\"/fixture\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), h.Env, in)
	if class(err) != failure.ImageBuildFailed || !strings.Contains(err.Error(), "COPY settings.json") {
		t.Fatalf("err = %v, want image_build_failed naming the step", err)
	}
	h.Cleanup(t)
}

func TestInterruptDuringHealthWait(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "unhealthy"))
	in.HealthTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, h.Env, in)
		done <- err
	}()
	eng := engine(t)
	deadline := time.Now().Add(time.Minute)
	for {
		cs, _ := eng.C.ContainerList(context.Background(), client.ContainerListOptions{Filters: client.Filters{}.Add("label", docker.LabelRun+"="+in.RunID)})
		if len(cs.Items) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	h.Cleanup(t)
	assertGone(t, eng, in.RunID)
}

func TestKeepThenDown(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	in.Keep = true
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	h.Cleanup(t) // nothing registered: the run keeps it
	eng := engine(t)
	ci, err := eng.C.ContainerInspect(context.Background(), out.Services[0].ID, client.ContainerInspectOptions{})
	if err != nil || ci.Container.State.Health == nil || ci.Container.State.Health.Status != "healthy" {
		t.Fatalf("kept container: %v", err)
	}
	if !strings.Contains(h.Log.String(), "orchestrate down "+in.RunID) {
		t.Errorf("the log does not say how to remove it:\n%s", h.Log)
	}
	rm, err := eng.Down(context.Background(), in.RunID)
	if err != nil || len(rm.Containers) != 1 || len(rm.Networks) != 1 || len(rm.Images) != 1 {
		t.Errorf("down removed %+v (%v)", rm, err)
	}
	assertGone(t, eng, in.RunID)
}

func TestCopySources(t *testing.T) {
	got := copySources("FROM scratch\nCOPY a /a\ncopy --chown=1:1 b c /d/\nCOPY --from=build /x /x\nADD [\"e\", \"/e\"]\n")
	if strings.Join(got, ",") != "a,b,c,e" {
		t.Errorf("copySources = %v", got)
	}
}

func TestRedeployKeepsTheAddress(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	first, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	main := filepath.Join(h.Workdir, "service", "main.go")
	b, _ := os.ReadFile(main)
	if err := os.WriteFile(main, []byte(strings.Replace(string(b), `{"status":"ok"}`, `{"status":"ok","v":2}`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := Redeploy(context.Background(), h.Env, in, first)
	if err != nil {
		t.Fatalf("Redeploy: %v\n%s", err, h.Log)
	}
	if second.URL != first.URL || second.Services[0].ID == first.Services[0].ID || second.Network != first.Network {
		t.Errorf("first %+v\nsecond %+v", first, second)
	}
	resp, err := http.Get(second.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 64)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if !strings.Contains(string(body[:n]), `"v":2`) {
		t.Errorf("the new code is not serving: %s", body[:n])
	}

	// Another process took the address while the container was being
	// replaced: a port the user did not pin is chosen again.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := second
	taken.Services = append([]Service(nil), second.Services...)
	taken.Services[0].Ports = append([]Port(nil), second.Services[0].Ports...)
	taken.Services[0].Ports[0].Host = l.Addr().(*net.TCPAddr).Port
	third, err := Redeploy(context.Background(), h.Env, in, taken)
	if err != nil {
		t.Fatalf("Redeploy with the port taken: %v\n%s", err, h.Log)
	}
	if p := third.Services[0].Ports[0]; p.Host == taken.Services[0].Ports[0].Host || !strings.Contains(p.Why, "in use") || !strings.HasSuffix(third.URL, fmt.Sprint(":", p.Host)) {
		t.Errorf("third %+v", third)
	}
	if resp, err := http.Get(third.URL + "/healthz"); err != nil {
		t.Error(err)
	} else {
		resp.Body.Close()
	}
	h.Cleanup(t)
}
