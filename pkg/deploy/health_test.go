package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

func TestHealthyOnFirstProbe(t *testing.T) {
	t.Parallel()
	f := newFake(output("fixture starting\n"))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	s := out.Services[0]
	if s.Health != "healthy" || !slices.Equal(healths(s.Timeline), []string{"running/healthy"}) {
		t.Errorf("health %s, timeline %+v", s.Health, s.Timeline)
	}
	if out.Engine.Version != "fake" || out.Network != "orchestrate-fake-run" || !slices.Equal(f.networks, []string{out.Network}) {
		t.Errorf("engine %+v, network %q (created %v)", out.Engine, out.Network, f.networks)
	}
	if out.Image.Tag != "fixture:fake-run" || out.Image.ID != "sha256:fixture:fake-run" || out.Image.SizeBytes != 1<<20 || !strings.Contains(h.Read(t, out.Image.Log), "Step 1/2") {
		t.Errorf("image = %+v", out.Image)
	}
	if got := sorted(f.buildFiles); !slices.Equal(got, []string{"Dockerfile", "fixture"}) {
		t.Errorf("the build context holds %v, want the Dockerfile and the binary", got)
	}
	if !strings.Contains(h.Read(t, s.Log), "fixture starting") {
		t.Errorf("the container's log is not kept")
	}

	h.Cleanup(t)
	if !slices.Equal(f.downs, []string{in.RunID}) || f.closed != 1 {
		t.Errorf("cleanup removed runs %v and closed %d times, want %s once", f.downs, f.closed, in.RunID)
	}
	if !strings.Contains(h.Read(t, "01-deploy/logs/fixture.final.log"), "fixture starting") {
		t.Errorf("the final log is not kept")
	}
}

func TestUnhealthyThenHealthy(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting(), unhealthy("status 503"), healthy()))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	s := out.Services[0]
	want := []string{"running/starting", "running/unhealthy", "running/healthy"}
	if s.Health != "healthy" || !slices.Equal(healths(s.Timeline), want) {
		t.Fatalf("health %s, timeline %v, want healthy after %v", s.Health, healths(s.Timeline), want)
	}
	if tl := s.Timeline; !(tl[0].At < tl[1].At && tl[1].At < tl[2].At) {
		t.Errorf("the timeline's times do not increase: %+v", tl)
	}
}

func TestContainerExitsBeforeHealthy(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting(), exited(3)),
		output("fixture starting\nreading /config.json\ncannot read configuration: open /config.json: no such file or directory\n"))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "exit"))
	out, err := Run(context.Background(), h.Env, in)
	if class(err) != failure.ContainerExited {
		t.Fatalf("err = %v, want container_exited", err)
	}
	for _, want := range []string{"container fixture-fixture-fake-run exited with code 3", "last lines: fixture starting | reading /config.json | cannot read configuration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
	var fe *failure.Error
	if errors.As(err, &fe); !strings.Contains(h.Read(t, fe.Where), "cannot read configuration") {
		t.Errorf("%s does not hold the container's last lines", fe.Where)
	}
	s := out.Services[0]
	if last := s.Timeline[len(s.Timeline)-1]; s.Health != "exited" || last.State != "exited" || last.Detail != "exit code 3" {
		t.Errorf("health %s, timeline %+v", s.Health, s.Timeline)
	}
	if !slices.Contains(f.tails, "30") {
		t.Errorf("the logs' tail was not asked for: %v", f.tails)
	}
}

func TestNeverHealthy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fake     *fakeDaemon
		health   string
		timeline []string
		said     string // what the message quotes of the probe
	}{
		{"unhealthy", newFake(script("fixture", starting(), unhealthy("GET /healthz: status 500\n")), output("fixture starting\n")),
			"unhealthy", []string{"running/starting", "running/unhealthy"}, "; the healthcheck said: GET /healthz: status 500"},
		{"still starting", newFake(script("fixture", starting()), output("fixture starting\n")),
			"starting", []string{"running/starting"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, in := fakeSetup(t, tc.fake, compose("${FIXTURE_PORT:-}", "unhealthy"))
			in.HealthTimeout = 600 * time.Millisecond
			out, err := Run(context.Background(), h.Env, in)
			want := "container fixture-fixture-fake-run was not healthy within 600ms (phases.deploy.health_timeout)" + tc.said
			if class(err) != failure.HealthcheckFailed || err.Error() != want {
				t.Fatalf("err = %v, want healthcheck_failed: %s", err, want)
			}
			s := out.Services[0]
			if s.Health != tc.health || !slices.Equal(healths(s.Timeline), tc.timeline) {
				t.Errorf("health %s, timeline %v, want %s, %v", s.Health, healths(s.Timeline), tc.health, tc.timeline)
			}
			if out.Timings.HealthSeconds < 0.6 {
				t.Errorf("gave up after %.2fs, before the timeout", out.Timings.HealthSeconds)
			}
			var fe *failure.Error
			if errors.As(err, &fe); !strings.Contains(h.Read(t, fe.Where), "last log lines:\nfixture starting") {
				t.Errorf("%s does not hold the container's last lines", fe.Where)
			}
		})
	}
}

// A service without ports or healthcheck is a one-shot job: done when it
// exits 0. A service with ports and no healthcheck is done when running.
func TestOneShotAndRunningServices(t *testing.T) {
	t.Parallel()
	services := `name: fixture
services:
  fixture:
    build: .
    ports: ["8080"]
  migrate:
    image: migrate
`
	t.Run("done", func(t *testing.T) {
		t.Parallel()
		f := newFake(script("fixture", running()), script("migrate", running(), exited(0)))
		h, in := fakeSetup(t, f, services)
		out, err := Run(context.Background(), h.Env, in)
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, h.Log)
		}
		if out.Services[0].Health != "running" || out.Services[1].Health != "exited-0" {
			t.Errorf("services %+v", out.Services)
		}
	})
	t.Run("the job fails", func(t *testing.T) {
		t.Parallel()
		f := newFake(script("fixture", running()), script("migrate", running(), exited(1)))
		h, in := fakeSetup(t, f, services)
		if _, err := Run(context.Background(), h.Env, in); class(err) != failure.ContainerExited || !strings.Contains(err.Error(), "fixture-migrate-fake-run exited with code 1") {
			t.Errorf("err = %v, want container_exited for the job", err)
		}
	})
}

func TestHealthWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting()))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "unhealthy"))
	in.HealthTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for f.called("ContainerState") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := Run(ctx, h.Env, in); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	h.Cleanup(t)
	if !slices.Equal(f.downs, []string{in.RunID}) {
		t.Errorf("cleanup removed runs %v, want %s", f.downs, in.RunID)
	}
}

func TestDockerUnavailable(t *testing.T) {
	t.Parallel()
	f := newFake(unreachable(&failure.Error{Class: failure.DockerUnavailable, Partial: true, Message: "cannot reach the Docker daemon at unix:///fake.sock"}))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Class != failure.DockerUnavailable || !fe.Partial {
		t.Fatalf("err = %v, want a partial docker_unavailable", err)
	}
	if _, rerr := Redeploy(context.Background(), h.Env, in, out); class(rerr) != failure.DockerUnavailable {
		t.Errorf("Redeploy: err = %v, want docker_unavailable", rerr)
	}
	h.Cleanup(t)
	if want := []string{"Ping", "Close", "Ping", "Close"}; !slices.Equal(f.calls, want) {
		t.Errorf("daemon calls %v, want %v", f.calls, want)
	}
	if strings.Contains(h.Log.String(), "go build") || out.Engine != (Engine{}) {
		t.Errorf("deploy went on without a daemon: engine %+v, log:\n%s", out.Engine, h.Log)
	}
}

// The real daemon's client (no fake) at an address where none listens.
func TestDockerUnavailableAtHost(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	sock := "unix://" + filepath.Join(t.TempDir(), "docker.sock")
	if err := os.WriteFile(filepath.Join(h.Workdir, "compose.yaml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), h.Env, Input{RunID: "fake-run", Workdir: h.Workdir, DockerHost: sock})
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Class != failure.DockerUnavailable || !fe.Partial {
		t.Fatalf("err = %v, want a partial docker_unavailable", err)
	}
	for _, want := range []string{"cannot reach the Docker daemon at " + sock, "start Docker"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
}
