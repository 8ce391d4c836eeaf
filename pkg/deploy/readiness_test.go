package deploy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

func TestHealthPath(t *testing.T) {
	for _, tc := range []struct {
		endpoints []spec.Endpoint
		want      string
	}{
		{[]spec.Endpoint{{Method: "POST", Path: "/v1/events"}, {Method: "GET", Path: "/healthz"}}, "/healthz"},
		{[]spec.Endpoint{{Method: "GET", Path: "/api/health"}}, "/api/health"},
		{[]spec.Endpoint{{Method: "get", Path: "/readyz"}}, "/readyz"},
		{[]spec.Endpoint{{Method: "POST", Path: "/healthz"}, {Method: "GET", Path: "/healthcheck-report"}}, ""},
		{nil, ""},
	} {
		if got := healthPath(spec.Service{Endpoints: tc.endpoints}); got != tc.want {
			t.Errorf("healthPath(%v) = %q, want %q", tc.endpoints, got, tc.want)
		}
	}
}

// healthServer is a real HTTP health endpoint answering the given statuses
// in turn, the last one repeating; probes counts the requests.
type healthServer struct {
	mu       sync.Mutex
	statuses []int
	probes   int
	urls     []string // what deploy asked to probe
}

func newHealthServer(t *testing.T, statuses ...int) (*healthServer, func(ctx context.Context, url string) error) {
	hs := &healthServer{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.mu.Lock()
		i := min(hs.probes, len(hs.statuses)-1)
		hs.probes++
		hs.mu.Unlock()
		w.WriteHeader(hs.statuses[i])
		fmt.Fprintln(w, `{"status":"..."}`)
	}))
	t.Cleanup(srv.Close)
	// The container's published port is the fake's: the probe keeps the
	// path deploy asked for and reaches this server instead.
	probe := func(ctx context.Context, url string) error {
		hs.mu.Lock()
		hs.urls = append(hs.urls, url)
		hs.mu.Unlock()
		return httpProbe(ctx, srv.URL+url[strings.LastIndex(url, "/"):])
	}
	return hs, probe
}

func withHealthEndpoint(in Input) Input {
	in.Spec.Endpoints = []spec.Endpoint{{Method: "GET", Path: "/healthz"}}
	return in
}

// Docker's healthcheck is still starting (its first run is seconds away);
// the host probe's first 2xx opens the gate, and Docker's status is kept.
func TestHostProbeOpensTheGate(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting()))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	hs, probe := newHealthServer(t, 503, 503, 200)
	in = withHealthEndpoint(in)
	in.Probe = probe
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	s := out.Services[0]
	if s.Health != "healthy" || s.ReadyBy != ReadyByProbe || s.DockerHealth != "starting" {
		t.Errorf("health %s, ready by %q, Docker said %q", s.Health, s.ReadyBy, s.DockerHealth)
	}
	if hs.probes != 3 || hs.urls[0] != out.URL+"/healthz" {
		t.Errorf("%d probes of %v, want 3 of %s/healthz", hs.probes, hs.urls, out.URL)
	}
	last := s.Timeline[len(s.Timeline)-1]
	if want := "host probe: GET " + out.URL + "/healthz answered 2xx (try 3)"; last.Detail != want || last.Health != "starting" {
		t.Errorf("timeline %+v, want it to end with %q", s.Timeline, want)
	}
	if f.called("ContainerState") != 3 {
		t.Errorf("Docker was asked %d times, want once per probe", f.called("ContainerState"))
	}
	if d := out.Detail(); !strings.Contains(strings.Join(d.Facts, "\n"), "service `fixture`: ready by host probe; Docker's own health status then: starting") {
		t.Errorf("the report does not say what opened the gate: %v", d.Facts)
	}
}

// Docker saying healthy first opens the gate as before.
func TestDockerHealthyBeforeTheProbe(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting(), healthy()))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	hs, probe := newHealthServer(t, 503)
	in = withHealthEndpoint(in)
	in.Probe = probe
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	if s := out.Services[0]; s.ReadyBy != ReadyByDocker || s.DockerHealth != "healthy" || hs.probes != 1 {
		t.Errorf("ready by %q, Docker said %q, %d probes", s.ReadyBy, s.DockerHealth, hs.probes)
	}
}

// A probe that never gets a good answer ends in the timeout, and the
// failure quotes what the probe got.
func TestHostProbeNeverAnswers(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting()), output("fixture starting\n"))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "unhealthy"))
	_, probe := newHealthServer(t, 500)
	in = withHealthEndpoint(in)
	in.Probe = probe
	in.HealthTimeout = 500 * time.Millisecond
	_, err := Run(context.Background(), h.Env, in)
	if class(err) != failure.HealthcheckFailed {
		t.Fatalf("err = %v, want healthcheck_failed", err)
	}
	for _, want := range []string{"was not healthy within 500ms", "the healthcheck said: host probe GET http://127.0.0.1:", "/healthz (", "tries): status 500"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
}

// A container that exits is the gate's failure even while probed.
func TestProbedContainerExits(t *testing.T) {
	t.Parallel()
	f := newFake(script("fixture", starting(), exited(3)), output("fatal: cannot read configuration\n"))
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "exit"))
	_, probe := newHealthServer(t, 503)
	in = withHealthEndpoint(in)
	in.Probe = probe
	if _, err := Run(context.Background(), h.Env, in); class(err) != failure.ContainerExited {
		t.Fatalf("err = %v, want container_exited", err)
	}
}

// The real probe against a port where nothing listens says so.
func TestHTTPProbeRefused(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	err = httpProbe(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v, want connection refused", err)
	}
}
