package release

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// The canary against the real daemon: a first run has no stable release
// (promoted, degraded); a candidate answering 500 is rolled back with the
// stable release still answering; a slow one too; a good one is promoted
// and the one before kept as previous.
func TestCanaryOnTheRealDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	ctx := context.Background()
	e, err := docker.Connect(ctx, "")
	if err != nil {
		t.Skipf("no Docker daemon: %v", err)
	}
	defer e.Close()
	svc := fmt.Sprintf("canary-test-%d", time.Now().UnixNano()%1e9)
	bin := buildService(t)
	runs := []string{}
	t.Cleanup(func() { cleanup(e, svc, runs) })

	sp := spec.Service{Name: svc, Port: 8080, Endpoints: []spec.Endpoint{
		{Method: "GET", Path: "/healthz", Examples: []spec.Example{{Name: "healthy", Status: 200}}},
		{Method: "POST", Path: "/v1/items", Examples: []spec.Example{{Name: "create", Body: map[string]any{"name": "a"}, Status: 202}}},
	}}
	canary := CanarySettings{Share: 0.3, Rate: 100, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond,
		ErrorRate: 0.005, P99: 800 * time.Millisecond, Margin: 0.5, MinRequests: 20, Health: 20 * time.Second}
	deploy := func(run, fault string) {
		runs = append(runs, run)
		startCandidate(t, e, bin, svc, run, fault)
	}
	release := func(run string) (Output, error) {
		h := phasetest.Bare(t, Name)
		return Run(ctx, h.Env, Input{Spec: sp, RunID: run, Strategy: Canary, Canary: canary, TestsPassed: true})
	}

	deploy("r1", "")
	out, err := release("r1")
	if err != nil || out.Decision != Promoted || out.Degraded == "" || out.Stable == "" {
		t.Fatalf("first run: %+v, %v; want promoted, degraded (no stable yet)", out, err)
	}
	first := out.Stable

	for _, fault := range []string{"500", "slow"} {
		run := "r-" + fault
		deploy(run, fault)
		out, err = release(run)
		var fe *failure.Error
		if !errors.As(err, &fe) || fe.Class != failure.CanaryFailed || fe.Partial || out.Decision != RolledBack {
			t.Fatalf("FAULT=%s: %+v, %v; want rolled back, canary_failed", fault, out, err)
		}
		if out.Stable != first || len(out.Stats) != 2 || out.Stats[1].Requests < canary.MinRequests {
			t.Errorf("FAULT=%s: stats %+v, stable %s", fault, out.Stats, out.Stable)
		}
		t.Logf("FAULT=%s rolled back: %s", fault, strings.Join(out.Reasons, "; "))
		if st := post(t, out.StableURL+"/v1/items"); st != 202 {
			t.Errorf("FAULT=%s: the stable release answered %d after the rollback", fault, st)
		}
		if id, _ := (engine{e}).image(ctx, Repo(svc)+":stable"); id != first {
			t.Errorf("FAULT=%s: stable is now %s, want %s", fault, id, first)
		}
		if _, err := (engine{e}).candidate(ctx, run, svc, 8080); err == nil {
			t.Errorf("FAULT=%s: the candidate still runs", fault)
		}
	}

	deploy("r-good", "")
	out, err = release("r-good")
	if err != nil || out.Decision != Promoted || out.Degraded != "" || out.Previous != first || out.Stable == first {
		t.Fatalf("good candidate: %+v, %v; want promoted over %s", out, err, first)
	}
	if id, _ := (engine{e}).image(ctx, Repo(svc)+":previous"); id != first {
		t.Errorf("previous is %s, want the first stable %s", id, first)
	}
	if from, to, err := (engine{e}).rollback(ctx, svc); err != nil || from != out.Stable || to != first {
		t.Errorf("rollback by hand: %s -> %s, %v", from, to, err)
	}
}

func post(t *testing.T, url string) int {
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"name":"a"}`))
	if err != nil {
		t.Errorf("post: %v", err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// buildService builds the test service, static.
func buildService(t *testing.T) []byte {
	out := filepath.Join(t.TempDir(), "svc")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/canarysvc")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the test service: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startCandidate deploys the service as a run would: an image and a
// container labelled with the run, on the run's network, its port
// published on loopback.
func startCandidate(t *testing.T, e *docker.Engine, bin []byte, svc, run, fault string) {
	ctx := context.Background()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// The fault is the image's (its code), not the deployment's.
	df := "FROM scratch\nCOPY svc /svc\nENV FAULT=" + fault + "\nENTRYPOINT [\"/svc\"]\n"
	for _, f := range []struct {
		name string
		b    []byte
		mode int64
	}{{"Dockerfile", []byte(df), 0o644}, {"svc", bin, 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.b))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.b); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	tag := svc + ":" + run
	img, err := e.Build(ctx, &buf, "Dockerfile", []string{tag}, docker.Labels(run, svc), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	netName := "orchestrate-test-" + svc + "-" + run
	if _, err := e.C.NetworkCreate(ctx, netName, client.NetworkCreateOptions{Driver: "bridge", Labels: docker.Labels(run, "")}); err != nil {
		t.Fatal(err)
	}
	port, _ := network.ParsePort("8080/tcp")
	hp, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.C.ContainerCreate(ctx, client.ContainerCreateOptions{Name: svc + "-" + run,
		Config:           &container.Config{Image: img, Env: []string{"GREETING=hello"}, Labels: docker.Labels(run, svc), ExposedPorts: network.PortSet{port: {}}},
		HostConfig:       &container.HostConfig{PortBindings: network.PortMap{port: {{HostIP: loopback, HostPort: fmt.Sprint(hp)}}}},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{netName: {}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.C.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
}

// cleanup removes what the runs made and the service's releases.
func cleanup(e *docker.Engine, svc string, runs []string) {
	ctx := context.Background()
	for _, r := range runs {
		_, _ = e.Down(ctx, r)
	}
	is, err := e.C.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("reference", Repo(svc))})
	if err == nil {
		for _, im := range is.Items {
			_, _ = e.C.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		}
	}
}
