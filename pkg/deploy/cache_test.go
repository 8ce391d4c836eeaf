package deploy

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// An Output the phase cache reused runs nothing: its service says so and
// has no address (never the recorded run's, which is gone). Start deploys
// it for real, once; every view of the Output then sees it running.
func TestAReusedDeploymentRunsNothingUntilStarted(t *testing.T) {
	t.Parallel()
	h := phasetest.Bare(t, "deploy")
	in := setup(t, h, compose("${FIXTURE_PORT:-}", "healthy"))
	var recorded Output // as the cache reads it back from the earlier run's output.json
	if err := json.Unmarshal([]byte(`{"url":"http://127.0.0.1:1","image":{"id":"sha256:earlier"}}`), &recorded); err != nil {
		t.Fatal(err)
	}
	out := recorded.Revive(in)
	svc := out.Service()
	if svc.Running() || svc.Endpoint() != "" || !out.Reused() {
		t.Fatalf("a reused deployment: running %v, endpoint %q", svc.Running(), svc.Endpoint())
	}
	if f := out.Detail().Facts[0]; !strings.Contains(f, "no container was started in this run") {
		t.Errorf("the report does not say nothing runs: %q", f)
	}
	live, err := svc.Start(context.Background(), h.Env)
	if err != nil {
		t.Fatalf("Start: %v\n%s", err, h.Log)
	}
	resp, err := http.Get(live.Endpoint() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/healthz: %v %v", live.Endpoint(), resp, err)
	}
	resp.Body.Close()
	other := out.Service() // the release phase's view
	if !other.Running() || other.Endpoint() != live.Endpoint() {
		t.Errorf("another view of the Output: running %v at %q, want %s", other.Running(), other.Endpoint(), live.Endpoint())
	}
	if again, err := other.Start(context.Background(), h.Env); err != nil || again.Endpoint() != live.Endpoint() {
		t.Errorf("a second Start deployed again: %v %v", again, err)
	}
	cs, err := engine(t).C.ContainerList(context.Background(), client.ContainerListOptions{Filters: client.Filters{}.Add("label", docker.LabelRun+"="+in.RunID)})
	if err != nil || len(cs.Items) != 1 {
		t.Errorf("containers of the run: %d (%v), want 1", len(cs.Items), err)
	}
	h.Cleanup(t) // Start registered the run's cleanup
	assertGone(t, engine(t), in.RunID)
}

// A kept deployment always runs; the variables the compose file names
// are in the Input (hashed), others are not; so is the daemon.
func TestTheCacheKeyOfADeployment(t *testing.T) {
	cfg := phasetest.Config(t, Settings)
	_, base := fakeSetup(t, newFake(), compose("${FIXTURE_PORT:-}", "healthy"))
	setupAt := func(env ...string) Input {
		in, err := Configure(phase.Setup{Config: cfg, Workdir: base.Workdir, RunID: "r", Environ: env})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	a, b, c := setupAt("FIXTURE_PORT=9000", "HOME=/a"), setupAt("FIXTURE_PORT=9000", "HOME=/b"), setupAt("FIXTURE_PORT=9001")
	if a.ComposeEnv == "" || a.ComposeEnv != b.ComposeEnv || a.ComposeEnv == c.ComposeEnv {
		t.Errorf("compose env: %q %q %q", a.ComposeEnv, b.ComposeEnv, c.ComposeEnv)
	}
	if a.NoCache() != "" || strings.Join(a.CacheReads(), " ") != "service" {
		t.Errorf("no-cache %q, reads %v", a.NoCache(), a.CacheReads())
	}
	if d := setupAt("DOCKER_HOST=unix:///elsewhere.sock"); d.Daemon != "unix:///elsewhere.sock" || a.Daemon != "" {
		t.Errorf("daemon %q, %q", d.Daemon, a.Daemon)
	}
	cfg.Docker.Keep = true
	if k := setupAt(); !strings.Contains(k.NoCache(), "docker.keep") {
		t.Errorf("a kept deployment: %q", k.NoCache())
	}
}
