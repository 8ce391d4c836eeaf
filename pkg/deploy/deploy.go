// Package deploy is the phase where generated code meets a real runtime.
// It builds the service binary (static, -trimpath), builds the image from
// the service's Dockerfile with a context holding only what the Dockerfile
// copies, realises the compose file (read by compose-go, as `docker
// compose` reads it) through the Docker SDK on a network of its own, and
// gates on health with a timeline per container. Everything it creates is
// labelled with the run id and removed at the end of the run, whatever
// happened, unless the run keeps it.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// Input of the deploy phase.
type Input struct {
	Spec          spec.Service  `json:"spec"`
	Workdir       string        `json:"-"`
	RunID         string        `json:"run_id"`
	Compose       string        `json:"compose"` // the compose file, relative to the service directory
	DockerHost    string        `json:"docker_host,omitempty"`
	Keep          bool          `json:"keep"`
	HealthTimeout time.Duration `json:"health_timeout"`
	Environ       []string      `json:"-"` // for the compose file's interpolation
	// ComposeEnv fingerprints the variables of Environ the compose file
	// names, for the phase cache (their values stay out of input.json).
	ComposeEnv string `json:"compose_env,omitempty"`
	// Daemon is the daemon deployed to as the environment names it
	// (DOCKER_HOST) when DockerHost is empty: another daemon is another
	// deployment, for the phase cache.
	Daemon string    `json:"daemon,omitempty"`
	Go     gotool.Go `json:"-"`
	// Probe GETs the spec's health endpoint from the host: nil on a 2xx
	// answer. nil is a real HTTP GET.
	Probe func(ctx context.Context, url string) error `json:"-"`
	// Dial gives the Docker daemon at a host without reaching it; nil is
	// the real one (pkg/docker).
	Dial func(host string) (Daemon, error) `json:"-"`
}

// Output of the deploy phase.
type Output struct {
	Engine   Engine    `json:"engine"`
	Image    Image     `json:"image"`
	Network  string    `json:"network"`
	Services []Service `json:"services"`
	URL      string    `json:"url"` // the spec's service, from the host
	Timings  Timings   `json:"timings"`
	Kept     bool      `json:"kept"`

	in Input // what it was deployed from, for a redeploy
	// reused is set when the Output was an earlier run's, reused by the
	// phase cache: no container of this run runs until a phase starts it.
	reused *dormant
}

// Engine is the daemon deployed to.
type Engine struct {
	Host    string `json:"host"`
	Version string `json:"version"`
	API     string `json:"api"`
}

// Image is the built image.
type Image struct {
	Tag       string `json:"tag"`
	ID        string `json:"id"`
	SizeBytes int64  `json:"size_bytes"`
	Log       string `json:"log"` // the build output, relative to the run directory
	// MadeBy is how: Assembled (in-process, from the generated Dockerfile)
	// or DockerBuild (the daemon's build); Why says what decided it.
	MadeBy string `json:"made_by,omitempty"`
	Why    string `json:"why,omitempty"`
}

// Service is one compose service as deployed.
type Service struct {
	Name      string `json:"name"`
	Container string `json:"container"`
	ID        string `json:"id"`
	Ports     []Port `json:"ports,omitempty"`
	Health    string `json:"health"` // healthy | running | exited-0 | unhealthy | exited | starting
	// ReadyBy is what opened the gate for it (ReadyByProbe, ReadyByDocker…);
	// DockerHealth is Docker's own health status at the gate's last look.
	ReadyBy      string  `json:"ready_by,omitempty"`
	DockerHealth string  `json:"docker_health,omitempty"`
	Timeline     []Event `json:"timeline"`
	Log          string  `json:"log,omitempty"` // relative to the run directory
}

// Port is one published port.
type Port struct {
	Target    int    `json:"target"`
	Host      int    `json:"host"`
	Requested string `json:"requested,omitempty"` // what the compose file asked for
	Why       string `json:"why,omitempty"`       // when the host port is not the one requested
}

// Event is one point of a container's health timeline.
type Event struct {
	At     float64 `json:"at_seconds"` // since the container started
	State  string  `json:"state"`
	Health string  `json:"health,omitempty"`
	Detail string  `json:"detail,omitempty"`
}

// Timings split the phase's time.
type Timings struct {
	BinarySeconds float64 `json:"binary_build_seconds"`
	ImageSeconds  float64 `json:"image_build_seconds"`
	StartSeconds  float64 `json:"start_seconds"`
	HealthSeconds float64 `json:"health_wait_seconds"`
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{in: in}
	if why := nothingToDeploy(in); why != "" {
		return out, phase.Skip(why)
	}
	daemon, info, err := connect(ctx, in)
	if err != nil {
		return out, err
	}
	out.Engine = info
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: phase.Deploy, Tool: "docker engine", Version: info.Version, Role: "image build and containers",
		Why: "The service ships as a container: building and running it on the real daemon is the only honest check that it starts and answers."})
	d := &deployer{env: env, in: in, daemon: daemon, out: &out}
	if in.Keep {
		out.Kept = true
	} else {
		env.Cleanup("deploy: remove the run's containers, network and image", d.down)
	}
	err = d.run(ctx)
	if in.Keep && err == nil {
		d.say("kept: %s answers at %s; remove it with `orchestrate down %s`", in.Spec.Name, out.URL, in.RunID)
	}
	if in.Keep && err != nil {
		d.say("kept what was created; remove it with `orchestrate down %s`", in.RunID)
	}
	return out, err
}

// Redeploy rebuilds the binary and the images and replaces the containers
// of the services that are built, on the same network and host ports, then
// gates on health again: the cheap "rebuild and restart" the test phase's
// remediation loop calls after a patch. Cleanup stays with the first
// deployment's registration (everything carries the run's labels).
func Redeploy(ctx context.Context, env phase.Env, in Input, prev Output) (Output, error) {
	out := Output{Network: prev.Network, Kept: prev.Kept, URL: prev.URL}
	daemon, info, err := connect(ctx, in)
	if err != nil {
		return out, err
	}
	defer daemon.Close()
	out.Engine = info
	d := &deployer{env: env, in: in, daemon: daemon, out: &out, prev: &prev}
	err = d.run(ctx)
	return out, err
}

// connect reaches the daemon at in.DockerHost.
func connect(ctx context.Context, in Input) (Daemon, Engine, error) {
	dial := in.Dial
	if dial == nil {
		dial = func(host string) (Daemon, error) { return dialDocker(host, in.Workdir) }
	}
	daemon, err := dial(in.DockerHost)
	if err != nil {
		return nil, Engine{}, err
	}
	info, err := daemon.Ping(ctx)
	if err != nil {
		daemon.Close()
		return nil, Engine{}, err
	}
	return daemon, info, nil
}

type deployer struct {
	env    phase.Env
	in     Input
	daemon Daemon
	out    *Output
	// prev is the deployment a redeploy replaces: its network is kept, and
	// its host ports when they are still free or pinned.
	prev *Output

	// What the steps hand on.
	proj   *project
	binDir string            // where the binary for the images is built
	images map[string]string // service -> image reference
	ids    map[string]string // service -> container id
}

// run is the phase, step by step. A step's time goes to out.Timings when
// it succeeds; the health gate's always does.
func (d *deployer) run(ctx context.Context) error {
	if err := d.load(ctx); err != nil {
		return err
	}
	bin, err := os.MkdirTemp("", "orchestrate-deploy-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	d.binDir = bin
	t := &d.out.Timings
	for _, step := range []struct {
		do      func(context.Context) error
		seconds *float64
	}{
		{d.buildBinary, &t.BinarySeconds},    // static, for an image FROM scratch
		{d.buildImages, &t.ImageSeconds},     // each from a context of only what its Dockerfile copies
		{d.startContainers, &t.StartSeconds}, // on the run's network, host ports chosen
	} {
		start := time.Now()
		if err := step.do(ctx); err != nil {
			return err
		}
		*step.seconds = since(start)
	}
	// The health gate; the containers' logs are kept whatever it says.
	start := time.Now()
	err = d.wait(ctx)
	t.HealthSeconds = since(start)
	d.keepLogs(ctx)
	return err
}

// load reads the compose file.
func (d *deployer) load(ctx context.Context) error {
	file := d.in.Compose
	if file == "" {
		file = "compose.yaml"
	}
	proj, err := loadCompose(ctx, d.serviceDir(), file, d.in.Spec.Name, d.in.Environ)
	d.proj = proj
	return err
}

func (d *deployer) serviceDir() string {
	return filepath.Join(d.in.Workdir, filepath.FromSlash(d.in.Spec.Dir))
}

// keepLogs saves each container's output so far beside the phase.
func (d *deployer) keepLogs(ctx context.Context) {
	for i := range d.out.Services {
		s := &d.out.Services[i]
		if logs, err := d.daemon.Logs(context.WithoutCancel(ctx), s.ID, "all"); err == nil {
			name := "logs/" + s.Name + ".log"
			_, _ = d.env.Art.Write(name, []byte(logs))
			s.Log = d.env.Art.Rel(name)
		}
	}
}

// down saves each container's final logs, then removes everything of the
// run by label. It runs at the end of the run with a fresh context.
func (d *deployer) down(ctx context.Context) error {
	for name, id := range d.ids {
		if logs, err := d.daemon.Logs(ctx, id, "all"); err == nil {
			_, _ = d.env.Art.Write("logs/"+name+".final.log", []byte(logs))
		}
	}
	rm, err := d.daemon.Down(ctx, d.in.RunID)
	_, _ = d.env.Art.WriteJSON("logs/removed.json", rm)
	d.daemon.Close()
	return err
}

func (d *deployer) previous(name string) *Service {
	if d.prev == nil {
		return nil
	}
	for i := range d.prev.Services {
		if d.prev.Services[i].Name == name {
			return &d.prev.Services[i]
		}
	}
	return nil
}

func (d *deployer) say(format string, args ...any) {
	fmt.Fprintf(d.env.Log, format+"\n", args...)
	if d.env.Notice != nil {
		d.env.Notice(format, args...)
	}
}

func since(t time.Time) float64 { return float64(time.Since(t).Milliseconds()) / 1000 }

// nothingToDeploy is why there is nothing to deploy, or "": a service
// directory without its compose file is a service that is not containerised
// (yet), not a failure.
func nothingToDeploy(in Input) string {
	file := in.Compose
	if file == "" {
		file = "compose.yaml"
	}
	p := filepath.Join(in.Workdir, filepath.FromSlash(in.Spec.Dir), file)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("%s/%s does not exist: nothing to deploy (run scaffold to write one, or set phases.deploy.compose)", in.Spec.Dir, file)
	}
	return ""
}
