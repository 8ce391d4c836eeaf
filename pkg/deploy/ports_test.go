package deploy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// takePort holds a loopback port for the test, as another process would.
func takePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// freeHostPort is a port nothing listens on (when the test looked).
func freeHostPort(t *testing.T) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultPortFreeIsUsed(t *testing.T) {
	t.Parallel()
	p := freeHostPort(t)
	f := newFake()
	h, in := fakeSetup(t, f, compose(fmt.Sprintf("${FIXTURE_PORT:-%d}", p), "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	if got, want := out.Services[0].Ports[0], (Port{Target: 8080, Host: p, Requested: strconv.Itoa(p)}); got != want {
		t.Errorf("port = %+v, want %+v", got, want)
	}
	if want := fmt.Sprintf("http://127.0.0.1:%d", p); out.URL != want {
		t.Errorf("URL = %s, want %s", out.URL, want)
	}
	if got, want := f.binding("fixture", "8080/tcp"), fmt.Sprintf("127.0.0.1:%d", p); got != want {
		t.Errorf("the container publishes 8080/tcp on %q, want %q", got, want)
	}
}

func TestDefaultPortTakenIsReplaced(t *testing.T) {
	t.Parallel()
	taken := takePort(t)
	f := newFake()
	h, in := fakeSetup(t, f, compose(fmt.Sprintf("${FIXTURE_PORT:-%d}", taken), "healthy"))
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	p := out.Services[0].Ports[0]
	why := fmt.Sprintf("host port %d is in use; using %d instead (the compose file only defaults to it)", taken, p.Host)
	if p.Host == taken || p.Host == 0 || p.Requested != strconv.Itoa(taken) || p.Why != why {
		t.Errorf("port = %+v, want another host port than %d, and why", p, taken)
	}
	if !strings.Contains(h.Log.String(), why) {
		t.Errorf("the log does not say why:\n%s", h.Log)
	}
	if want := fmt.Sprintf("http://127.0.0.1:%d", p.Host); out.URL != want {
		t.Errorf("URL = %s, want %s", out.URL, want)
	}
	if got, want := f.binding("fixture", "8080/tcp"), fmt.Sprintf("127.0.0.1:%d", p.Host); got != want {
		t.Errorf("the container publishes 8080/tcp on %q, want %q", got, want)
	}
}

func TestPinnedPortTakenIsAConflict(t *testing.T) {
	t.Parallel()
	taken := takePort(t)
	for _, tc := range []struct {
		name, published string
		environ         []string
	}{
		{"by the environment", "${FIXTURE_PORT:-8081}", []string{fmt.Sprintf("FIXTURE_PORT=%d", taken)}},
		{"literally", strconv.Itoa(taken), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			h, in := fakeSetup(t, f, compose(tc.published, "healthy"))
			in.Environ = append(in.Environ, tc.environ...)
			_, err := Run(context.Background(), h.Env, in)
			if class(err) != failure.PortConflict {
				t.Fatalf("err = %v, want port_conflict", err)
			}
			for _, want := range []string{fmt.Sprintf("host port %d is already in use", taken), "free the port, or unset the variable that pins it"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to say %q", err, want)
				}
			}
			if n := f.called("CreateContainer"); n != 0 {
				t.Errorf("%d containers created, want none", n)
			}
		})
	}
}

// The daemon can find a host port taken that was free when it was chosen.
func TestPortTakenBetweenCheckAndStart(t *testing.T) {
	t.Parallel()
	allocated := errors.New("driver failed programming external connectivity on endpoint fixture: Bind for 127.0.0.1:8081 failed: port is already allocated")
	t.Run("chosen again", func(t *testing.T) {
		t.Parallel()
		f := newFake(startFails(allocated))
		h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
		out, err := Run(context.Background(), h.Env, in)
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, h.Log)
		}
		if f.called("CreateContainer") != 2 || strings.Join(f.removed, ",") != "c1" || out.Services[0].ID != "c2" {
			t.Errorf("created %d, removed %v, deployed %s; want the first container replaced by a second", f.called("CreateContainer"), f.removed, out.Services[0].ID)
		}
		if !strings.Contains(h.Log.String(), "a host port was taken between the check and the start; choosing again") {
			t.Errorf("the log does not say so:\n%s", h.Log)
		}
	})
	t.Run("three times at most", func(t *testing.T) {
		t.Parallel()
		f := newFake(startFails(allocated, allocated, allocated, allocated))
		h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
		_, err := Run(context.Background(), h.Env, in)
		if class(err) != failure.PortConflict || !strings.Contains(err.Error(), "a host port is taken") || f.called("CreateContainer") != 3 {
			t.Errorf("err = %v after %d containers, want port_conflict after 3", err, f.called("CreateContainer"))
		}
	})
	t.Run("pinned", func(t *testing.T) {
		t.Parallel()
		f := newFake(startFails(allocated))
		h, in := fakeSetup(t, f, compose("${FIXTURE_PORT}", "healthy"))
		in.Environ = append(in.Environ, fmt.Sprintf("FIXTURE_PORT=%d", freeHostPort(t)))
		_, err := Run(context.Background(), h.Env, in)
		if class(err) != failure.PortConflict || !strings.Contains(err.Error(), "start fixture-fixture-fake-run: a host port is taken") {
			t.Errorf("err = %v, want port_conflict naming the container", err)
		}
		if f.called("CreateContainer") != 1 || len(f.removed) != 0 {
			t.Errorf("created %d, removed %v: a pinned port is not chosen again", f.called("CreateContainer"), f.removed)
		}
	})
}

func TestURLFromThePublishedPorts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		services string
		target   int // the port of fixture whose host port the URL has
	}{
		{"the spec's port among others", `
  fixture:
    build: .
    ports: ["9090", "8080", "9091"]`, 8080},
		{"the first when the spec's is not published", `
  fixture:
    build: .
    ports: ["9090", "9091"]`, 9090},
		{"the spec's service, not another", `
  fixture:
    build: .
    ports: ["9090", "8080"]
  worker:
    image: worker
    ports: ["8080"]`, 8080},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			h, in := fakeSetup(t, f, "name: fixture\nservices:"+tc.services+"\n")
			out, err := Run(context.Background(), h.Env, in)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, h.Log)
			}
			want := ""
			for _, s := range out.Services {
				for _, p := range s.Ports {
					if s.Name == "fixture" && p.Target == tc.target {
						want = fmt.Sprintf("http://127.0.0.1:%d", p.Host)
					}
				}
			}
			if want == "" || out.URL != want {
				t.Errorf("URL = %s, want %s; services %+v", out.URL, want, out.Services)
			}
		})
	}
}

// A redeploy replaces the rebuilt container on the same network and host
// port; a port another process took meanwhile is chosen again.
func TestRedeployKeepsTheAddressUnlessTaken(t *testing.T) {
	t.Parallel()
	f := newFake()
	h, in := fakeSetup(t, f, compose("${FIXTURE_PORT:-}", "healthy"))
	first, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	second, err := Redeploy(context.Background(), h.Env, in, first)
	if err != nil {
		t.Fatalf("Redeploy: %v\n%s", err, h.Log)
	}
	if second.URL != first.URL || second.Network != first.Network || second.Services[0].Ports[0].Host != first.Services[0].Ports[0].Host {
		t.Errorf("first %+v\nsecond %+v", first, second)
	}
	if len(f.networks) != 1 || !slices.Equal(f.removed, []string{first.Services[0].ID}) || second.Services[0].ID == first.Services[0].ID {
		t.Errorf("networks %v, removed %v, ids %s then %s: want the container replaced on the same network",
			f.networks, f.removed, first.Services[0].ID, second.Services[0].ID)
	}

	taken := second
	taken.Services = []Service{second.Services[0]}
	taken.Services[0].Ports = []Port{second.Services[0].Ports[0]}
	taken.Services[0].Ports[0].Host = takePort(t)
	third, err := Redeploy(context.Background(), h.Env, in, taken)
	if err != nil {
		t.Fatalf("Redeploy with the port taken: %v\n%s", err, h.Log)
	}
	p := third.Services[0].Ports[0]
	if p.Host == taken.Services[0].Ports[0].Host || !strings.Contains(p.Why, "in use") || third.URL != fmt.Sprintf("http://127.0.0.1:%d", p.Host) {
		t.Errorf("port %+v, URL %s: want another port, and the URL on it", p, third.URL)
	}
}
