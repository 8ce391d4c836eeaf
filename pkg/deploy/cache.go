package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phasecache"
)

// The deploy phase may be reused, like `go test` reuses a test result: its
// Output (the image it built, the health gate's timeline) is an earlier
// run's when the service directory, the compose file's variables and the
// settings are unchanged. No container runs then: the phase.Service the
// Output offers says so, and the test or release phase that needs the
// service deploys it first (Start). A user who asks to keep the service
// running (docker.keep) gets it running: then the phase always runs.

// NoCache implements phase.Uncached: only a kept deployment always runs.
func (in Input) NoCache() string {
	if in.Keep {
		return "docker.keep is set: the service is started and left running on every run"
	}
	return ""
}

// CacheReads implements phase.Cacheable: the service directory (its code,
// Dockerfile and compose file). The phase writes nothing there: the binary
// is built in a temporary directory.
func (in Input) CacheReads() []string { return []string{in.Spec.Dir} }

// composeEnv fingerprints what the compose file's interpolation reads from
// the environment; "" when the file names no variable or is not there.
func composeEnv(in Input) string {
	file := in.Compose
	if file == "" {
		file = "compose.yaml"
	}
	b, err := os.ReadFile(filepath.Join(in.Workdir, filepath.FromSlash(in.Spec.Dir), file))
	if err != nil {
		return ""
	}
	return phasecache.EnvNamed(b, in.Environ)
}

// daemonOf is the daemon the phase deploys to, as the settings or the
// environment name it ("" for the local default).
func daemonOf(in Input) string {
	if in.DockerHost != "" {
		return in.DockerHost
	}
	for _, kv := range in.Environ {
		if v, ok := strings.CutPrefix(kv, "DOCKER_HOST="); ok {
			return v
		}
	}
	return ""
}

// Revive implements phase.Revived: the Output is an earlier run's and
// nothing of it runs in this one.
func (o Output) Revive(in Input) Output {
	o.in, o.reused = in, &dormant{in: in}
	return o
}

// Reused says whether the Output is an earlier run's (no container of this
// run was started by the phase).
func (o Output) Reused() bool { return o.reused != nil }

// Service is the deployment as a phase.Service: the test phase reaches it,
// starts it when the Output was reused, and redeploys it through this,
// without importing this package. Every view of a reused Output shares
// one state: once a phase started it, the next sees it running.
func (o Output) Service() phase.Service {
	if o.reused != nil {
		return o.reused
	}
	return runningService{o.in, o}
}

// ImageID is the id of the image the deployment runs (an earlier run's
// when the Output was reused).
func (o Output) ImageID() string { return o.Image.ID }

// runningService is a deployment this run made.
type runningService struct {
	in  Input
	out Output
}

func (r runningService) Endpoint() string { return r.out.URL }
func (r runningService) Running() bool    { return true }

func (r runningService) Start(context.Context, phase.Env) (phase.Service, error) { return r, nil }

func (r runningService) Redeploy(ctx context.Context, env phase.Env) (phase.Service, error) {
	next, err := Redeploy(ctx, env, r.in, r.out)
	if err != nil {
		return nil, err
	}
	next.in = r.in
	return runningService{r.in, next}, nil
}

// dormant is a reused deployment: nothing runs until Start deploys it,
// into the folder of the phase that asks (with the run's cleanup).
type dormant struct {
	in   Input
	mu   sync.Mutex
	live phase.Service
}

func (d *dormant) get() phase.Service {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.live
}

func (d *dormant) Endpoint() string {
	if l := d.get(); l != nil {
		return l.Endpoint()
	}
	return ""
}

func (d *dormant) Running() bool { return d.get() != nil }

// fact says, for the report, what ran of a reused deployment.
func (d *dormant) fact() string {
	if l := d.get(); l != nil {
		return "no container was started by this phase (its output is an earlier run's); a later phase that needed the service deployed it, at " + l.Endpoint() + " (see that phase's log)"
	}
	return "no container was started in this run: its output is an earlier run's, and no phase needed the service running (the tests and the release were reused too)"
}

func (d *dormant) Start(ctx context.Context, env phase.Env) (phase.Service, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live != nil {
		return d.live, nil
	}
	out, err := Run(ctx, env, d.in)
	if err != nil {
		return nil, err
	}
	d.live = out.Service()
	return d.live, nil
}

// Redeploy of a service that does not run yet deploys the code as it is.
func (d *dormant) Redeploy(ctx context.Context, env phase.Env) (phase.Service, error) {
	if l := d.get(); l != nil {
		return l.Redeploy(ctx, env)
	}
	return d.Start(ctx, env)
}
