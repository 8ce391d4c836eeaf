package deploy

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// fakeDaemon stands in for the Docker daemon. It records what deploy asks
// of it and answers each container's state from its service's script, one
// state per look, the last one repeating (healthy when there is none).
type fakeDaemon struct {
	pingErr   error
	states    map[string][]container.State // service -> the states it goes through
	startErrs []error                      // StartContainer's answers, call by call; nil after
	logs      string                       // every container's output

	mu         sync.Mutex
	buildFiles []string                        // what the image build's context held
	loaded     []byte                          // the last image tarball loaded
	created    []client.ContainerCreateOptions // in order
	service    map[string]string               // container id -> service
	looks      map[string]int                  // container id -> states asked
	removed    []string                        // container ids
	networks   []string                        // created
	tails      []string                        // asked of Logs
	downs      []string                        // runs removed by label
	closed     int
	calls      []string // every method called, in order
}

type fakeOption func(*fakeDaemon)

func newFake(opts ...fakeOption) *fakeDaemon {
	f := &fakeDaemon{states: map[string][]container.State{}, service: map[string]string{}, looks: map[string]int{}}
	for _, o := range opts {
		o(f)
	}
	return f
}

// script gives the states a service's container goes through.
func script(service string, states ...container.State) fakeOption {
	return func(f *fakeDaemon) { f.states[service] = states }
}

// startFails makes the first StartContainer calls fail with errs.
func startFails(errs ...error) fakeOption { return func(f *fakeDaemon) { f.startErrs = errs } }

// output is what every container has written.
func output(logs string) fakeOption { return func(f *fakeDaemon) { f.logs = logs } }

// unreachable makes Ping fail with err.
func unreachable(err error) fakeOption { return func(f *fakeDaemon) { f.pingErr = err } }

func starting() container.State {
	return container.State{Status: container.StateRunning, Running: true, Health: &container.Health{Status: container.Starting}}
}

func healthy() container.State {
	return container.State{Status: container.StateRunning, Running: true, Health: &container.Health{Status: container.Healthy}}
}

// unhealthy is a failing healthcheck whose last probe said probe.
func unhealthy(probe string) container.State {
	return container.State{Status: container.StateRunning, Running: true,
		Health: &container.Health{Status: container.Unhealthy, FailingStreak: 3, Log: []*container.HealthcheckResult{{ExitCode: 1, Output: probe}}}}
}

// running is a running container without a healthcheck.
func running() container.State {
	return container.State{Status: container.StateRunning, Running: true}
}

func exited(code int) container.State {
	return container.State{Status: container.StateExited, ExitCode: code}
}

func (f *fakeDaemon) dial(string) (Daemon, error) { return f, nil }

func (f *fakeDaemon) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *fakeDaemon) Ping(context.Context) (Engine, error) {
	f.call("Ping")
	if f.pingErr != nil {
		return Engine{}, f.pingErr
	}
	return Engine{Host: "unix:///fake.sock", Version: "fake", API: "1.41"}, nil
}

func (f *fakeDaemon) BuildImage(_ context.Context, buildContext io.Reader, tag string, _ map[string]string, log io.Writer) (string, int64, error) {
	f.call("BuildImage")
	tr := tar.NewReader(buildContext)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, err
		}
		names = append(names, h.Name)
	}
	f.mu.Lock()
	f.buildFiles = names
	f.mu.Unlock()
	fmt.Fprintf(log, "Step 1/2 : FROM scratch\nSuccessfully tagged %s\n", tag)
	return "sha256:" + tag, 1 << 20, nil
}

func (f *fakeDaemon) LoadImage(_ context.Context, tag, id string, write func(io.Writer) error, log io.Writer) (string, int64, error) {
	f.call("LoadImage")
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", 0, err
	}
	f.mu.Lock()
	f.loaded = buf.Bytes()
	f.mu.Unlock()
	fmt.Fprintf(log, "Loaded image: %s\n", tag)
	return id, int64(buf.Len()), nil
}

func (f *fakeDaemon) CreateNetwork(_ context.Context, name string, _ map[string]string) error {
	f.call("CreateNetwork")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.networks = append(f.networks, name)
	return nil
}

func (f *fakeDaemon) CreateContainer(_ context.Context, opts client.ContainerCreateOptions) (string, error) {
	f.call("CreateContainer")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, opts)
	id := fmt.Sprintf("c%d", len(f.created))
	f.service[id] = opts.Config.Labels[docker.LabelService]
	return id, nil
}

func (f *fakeDaemon) StartContainer(context.Context, string) error {
	f.call("StartContainer")
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.startErrs) == 0 {
		return nil
	}
	err := f.startErrs[0]
	f.startErrs = f.startErrs[1:]
	return err
}

func (f *fakeDaemon) ContainerState(_ context.Context, id string) (container.State, error) {
	f.call("ContainerState")
	f.mu.Lock()
	defer f.mu.Unlock()
	states := f.states[f.service[id]]
	if len(states) == 0 {
		states = []container.State{healthy()}
	}
	i := min(f.looks[id], len(states)-1)
	f.looks[id]++
	return states[i], nil
}

func (f *fakeDaemon) RemoveContainer(_ context.Context, id string) error {
	f.call("RemoveContainer")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, id)
	return nil
}

func (f *fakeDaemon) Logs(_ context.Context, _, tail string) (string, error) {
	f.call("Logs")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tails = append(f.tails, tail)
	return f.logs, nil
}

func (f *fakeDaemon) Down(_ context.Context, run string) (docker.Removed, error) {
	f.call("Down")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downs = append(f.downs, run)
	return docker.Removed{}, nil
}

func (f *fakeDaemon) Close() error {
	f.call("Close")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

// binding is the host address on which the service's last container
// publishes port (e.g. "8080/tcp"), "" when none.
func (f *fakeDaemon) binding(service, port string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.created) - 1; i >= 0; i-- {
		c := f.created[i]
		if c.Config.Labels[docker.LabelService] != service {
			continue
		}
		for p, bs := range c.HostConfig.PortBindings {
			if p.String() == port && len(bs) == 1 {
				return bs[0].HostIP.String() + ":" + bs[0].HostPort
			}
		}
		return ""
	}
	return ""
}

// called says how many times deploy called method.
func (f *fakeDaemon) called(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == method {
			n++
		}
	}
	return n
}

// fakeSetup lays out a service whose binary is built for real (a main
// that does nothing: the fake never runs it) with the given compose file,
// and returns an Input deploying it to f.
func fakeSetup(t *testing.T, f *fakeDaemon, compose string) (*phasetest.Harness, Input) {
	t.Helper()
	h := phasetest.Bare(t, "deploy")
	dir := filepath.Join(h.Workdir, "service")
	files := map[string]string{
		"go.mod":       "module example.com/fixture\n\ngo 1.24\n",
		"main.go":      "package main\n\nfunc main() {}\n",
		"Dockerfile":   "FROM scratch\nCOPY fixture /fixture\nENTRYPOINT [\"/fixture\"]\n",
		"compose.yaml": compose,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return h, Input{Spec: spec.Service{Name: "fixture", Dir: "service", Port: 8080}, Workdir: h.Workdir, RunID: "fake-run",
		HealthTimeout: 5 * time.Second, Environ: []string{"PATH=" + os.Getenv("PATH")}, Dial: f.dial}
}

// healths lists a timeline as state/health pairs.
func healths(tl []Event) []string {
	var out []string
	for _, e := range tl {
		out = append(out, e.State+"/"+e.Health)
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}
