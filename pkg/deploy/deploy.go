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
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
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
	Go            gotool.Go     `json:"-"`
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
}

// Service is one compose service as deployed.
type Service struct {
	Name      string  `json:"name"`
	Container string  `json:"container"`
	ID        string  `json:"id"`
	Ports     []Port  `json:"ports,omitempty"`
	Health    string  `json:"health"` // healthy | running | exited-0 | unhealthy | exited | starting
	Timeline  []Event `json:"timeline"`
	Log       string  `json:"log,omitempty"` // relative to the run directory
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
	eng, err := docker.Connect(ctx, in.DockerHost)
	if err != nil {
		return out, err
	}
	out.Engine = Engine{Host: eng.Host, Version: eng.Version, API: eng.API}
	env.Tools.Record(phase.ToolUse{Time: env.Now(), Phase: phase.Deploy, Tool: "docker engine", Version: eng.Version, Role: "image build and containers",
		Why: "The service ships as a container: building and running it on the real daemon is the only honest check that it starts and answers."})
	d := &deployer{env: env, in: in, eng: eng, out: &out}
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
	eng, err := docker.Connect(ctx, in.DockerHost)
	if err != nil {
		return out, err
	}
	defer eng.Close()
	out.Engine = Engine{Host: eng.Host, Version: eng.Version, API: eng.API}
	d := &deployer{env: env, in: in, eng: eng, out: &out, prev: &prev}
	return out, d.run(ctx)
}

type deployer struct {
	env phase.Env
	in  Input
	eng *docker.Engine
	out *Output
	ids map[string]string // service -> container id
	// prev is the deployment a redeploy replaces: its network is kept, and
	// its host ports when they are still free or pinned.
	prev *Output
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

// down saves each container's final logs, then removes everything of the
// run by label. It runs at the end of the run with a fresh context.
func (d *deployer) down(ctx context.Context) error {
	for name, id := range d.ids {
		if logs, err := d.eng.Logs(ctx, id, "all"); err == nil {
			_, _ = d.env.Art.Write("logs/"+name+".final.log", []byte(logs))
		}
	}
	rm, err := d.eng.Down(ctx, d.in.RunID)
	_, _ = d.env.Art.WriteJSON("logs/removed.json", rm)
	d.eng.Close()
	return err
}

func (d *deployer) run(ctx context.Context) error {
	in := d.in
	svcDir := filepath.Join(in.Workdir, filepath.FromSlash(in.Spec.Dir))
	compose := in.Compose
	if compose == "" {
		compose = "compose.yaml"
	}
	proj, err := loadCompose(ctx, svcDir, compose, in.Spec.Name, in.Environ)
	if err != nil {
		return err
	}

	// The binary.
	start := time.Now()
	tmp, err := os.MkdirTemp("", "orchestrate-deploy-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	g := in.Go.Or(d.env.Log, nil)
	g.Extra = append(append([]string(nil), g.Extra...), "GOOS=linux", "GOARCH="+runtime.GOARCH)
	r, err := g.Run(ctx, svcDir, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(tmp, in.Spec.Name), ".")
	d.env.Tools.Record(phase.ToolUse{Time: d.env.Now(), Phase: phase.Deploy, Tool: "go build", Version: g.Version(ctx), Role: "static binary for the image",
		Why: "The image is FROM scratch: the orchestrator builds one statically linked binary (CGO_ENABLED=0, -trimpath) and the image holds only that."})
	if err != nil {
		return err
	}
	if !r.OK() {
		_, _ = d.env.Art.Write("logs/binary-build.txt", []byte(r.Output))
		return &failure.Error{Class: failure.CompileError, Where: d.env.Art.Rel("logs/binary-build.txt"),
			Message: "the service does not build for the image: " + gotool.FirstError(r.Output)}
	}
	d.out.Timings.BinarySeconds = since(start)

	// The images.
	start = time.Now()
	images := map[string]string{} // service -> image reference
	for _, name := range proj.names() {
		s := proj.Services[name]
		if s.Build == nil {
			if s.Image == "" {
				return failure.New(failure.ConfigError, "compose service %s has neither build nor image", name)
			}
			images[name] = s.Image // must exist locally: nothing can be pulled
			continue
		}
		tag := strings.ToLower(in.Spec.Name + ":" + in.RunID)
		if len(proj.Services) > 1 {
			tag = strings.ToLower(in.Spec.Name + "-" + name + ":" + in.RunID)
		}
		if err := d.build(ctx, s, tmp, tag); err != nil {
			return err
		}
		images[name] = tag
	}
	d.out.Timings.ImageSeconds = since(start)

	// The network and the containers.
	start = time.Now()
	if d.prev == nil {
		netName := "orchestrate-" + strings.ToLower(in.RunID)
		if _, err := d.eng.C.NetworkCreate(ctx, netName, client.NetworkCreateOptions{Driver: "bridge", Labels: docker.Labels(in.RunID, "")}); err != nil {
			return failure.Wrap(failure.Unknown, err, "create network %s", netName)
		}
		d.out.Network = netName
	}
	d.ids = map[string]string{}
	for _, name := range proj.names() {
		if old := d.previous(name); old != nil {
			if proj.Services[name].Build == nil {
				d.out.Services = append(d.out.Services, *old) // unchanged: not rebuilt
				continue
			}
			if _, err := d.eng.C.ContainerRemove(ctx, old.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
				return failure.Wrap(failure.Unknown, err, "remove the old container %s", old.Container)
			}
		}
		svc, err := d.start(ctx, proj, name, images[name], d.out.Network)
		d.out.Services = append(d.out.Services, svc)
		if err != nil {
			return err
		}
	}
	d.out.Timings.StartSeconds = since(start)

	// The health gate.
	start = time.Now()
	err = d.wait(ctx, proj)
	d.out.Timings.HealthSeconds = since(start)
	for i := range d.out.Services {
		s := &d.out.Services[i]
		if logs, lerr := d.eng.Logs(context.WithoutCancel(ctx), s.ID, "all"); lerr == nil {
			name := "logs/" + s.Name + ".log"
			_, _ = d.env.Art.Write(name, []byte(logs))
			s.Log = d.env.Art.Rel(name)
		}
	}
	return err
}

// build builds one service's image from a context holding only the
// Dockerfile and what it copies: the binary just built, else files of the
// build context directory.
func (d *deployer) build(ctx context.Context, s types.ServiceConfig, binDir, tag string) error {
	ctxDir := s.Build.Context
	dockerfile := s.Build.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	df := dockerfile
	if !filepath.IsAbs(df) {
		df = filepath.Join(ctxDir, df)
	}
	text, err := os.ReadFile(df)
	if err != nil {
		return failure.Wrap(failure.ImageBuildFailed, err, "read the Dockerfile")
	}
	files := map[string]string{"Dockerfile": df}
	for _, src := range copySources(string(text)) {
		if p := filepath.Join(binDir, src); exists(p) {
			files[src] = p
		} else if p := filepath.Join(ctxDir, src); exists(p) {
			files[src] = p
		}
		// A missing source is left for the build to report, with its step.
	}
	tarball, err := docker.Context(files)
	if err != nil {
		return err
	}
	log, err := os.CreateTemp("", "orchestrate-build-log-*")
	if err != nil {
		return err
	}
	defer os.Remove(log.Name())
	id, err := d.eng.Build(ctx, tarball, "Dockerfile", []string{tag}, docker.Labels(d.in.RunID, s.Name), log)
	log.Close()
	b, _ := os.ReadFile(log.Name())
	_, _ = d.env.Art.Write("logs/image-build.txt", b)
	d.out.Image = Image{Tag: tag, ID: id, Log: d.env.Art.Rel("logs/image-build.txt")}
	if err != nil {
		var fe *failure.Error
		if errors.As(err, &fe) {
			fe.Where = d.out.Image.Log
		}
		return err
	}
	if ii, err := d.eng.C.ImageInspect(ctx, id); err == nil {
		d.out.Image.SizeBytes = ii.Size
	}
	return nil
}

// copySources lists the sources of the Dockerfile's COPY and ADD lines
// (not those copying from another stage).
func copySources(dockerfile string) []string {
	var out []string
	for _, line := range strings.Split(dockerfile, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || (!strings.EqualFold(f[0], "COPY") && !strings.EqualFold(f[0], "ADD")) {
			continue
		}
		args := f[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") {
			if strings.HasPrefix(args[0], "--from") {
				args = nil
				break
			}
			args = args[1:]
		}
		if len(args) >= 2 {
			for _, a := range args[:len(args)-1] {
				out = append(out, filepath.Clean(strings.Trim(a, `"[],`)))
			}
		}
	}
	return out
}

// start creates and starts one service's container.
// start creates and starts one service's container. Another process can
// take a free host port between the check and the start: when no port of
// the service is pinned, the container is removed and ports are chosen
// again, up to three times.
func (d *deployer) start(ctx context.Context, proj *project, name, image, netName string) (Service, error) {
	pinned := false
	for i := range proj.Services[name].Ports {
		pinned = pinned || proj.pinned[fmt.Sprintf("%s/%d", name, i)]
	}
	for attempt := 1; ; attempt++ {
		svc, err := d.startOnce(ctx, proj, name, image, netName)
		var fe *failure.Error
		if err == nil || pinned || attempt == 3 || !errors.As(err, &fe) || fe.Class != failure.PortConflict || svc.ID == "" {
			return svc, err
		}
		fmt.Fprintf(d.env.Log, "%s: a host port was taken between the check and the start; choosing again\n", name)
		_, _ = d.eng.C.ContainerRemove(context.WithoutCancel(ctx), svc.ID, client.ContainerRemoveOptions{Force: true})
		delete(d.ids, name)
	}
}

func (d *deployer) startOnce(ctx context.Context, proj *project, name, image, netName string) (Service, error) {
	s := proj.Services[name]
	svc := Service{Name: name, Container: strings.ToLower(fmt.Sprintf("%s-%s-%s", proj.Name, name, d.in.RunID))}
	cfg := &container.Config{Image: image, Labels: docker.Labels(d.in.RunID, name), ExposedPorts: network.PortSet{}}
	for k, v := range s.Labels {
		cfg.Labels[k] = v
	}
	for k, v := range s.Environment {
		if v != nil {
			cfg.Env = append(cfg.Env, k+"="+*v)
		}
	}
	if hc := s.HealthCheck; hc != nil && !hc.Disable {
		cfg.Healthcheck = &container.HealthConfig{Test: hc.Test}
		if hc.Interval != nil {
			cfg.Healthcheck.Interval = time.Duration(*hc.Interval)
		}
		if hc.Timeout != nil {
			cfg.Healthcheck.Timeout = time.Duration(*hc.Timeout)
		}
		if hc.StartPeriod != nil {
			cfg.Healthcheck.StartPeriod = time.Duration(*hc.StartPeriod)
		}
		if hc.Retries != nil {
			cfg.Healthcheck.Retries = int(*hc.Retries)
		}
	}
	host := &container.HostConfig{PortBindings: network.PortMap{}}
	loopback := netip.MustParseAddr("127.0.0.1")
	for i, p := range s.Ports {
		port, err := network.ParsePort(fmt.Sprintf("%d/%s", p.Target, orTCP(p.Protocol)))
		if err != nil {
			return svc, failure.Wrap(failure.ConfigError, err, "compose service %s port %d", name, p.Target)
		}
		requested, pinned := p.Published, proj.pinned[fmt.Sprintf("%s/%d", name, i)]
		if old := d.previous(name); old != nil && i < len(old.Ports) {
			// A redeploy keeps the address when it can; another process may
			// have taken it while the old container was being replaced, and
			// then a port the user did not pin is chosen again.
			requested = strconv.Itoa(old.Ports[i].Host)
		}
		hp, why, err := choosePort(requested, pinned)
		if err != nil {
			return svc, err
		}
		cfg.ExposedPorts[port] = struct{}{}
		host.PortBindings[port] = []network.PortBinding{{HostIP: loopback, HostPort: strconv.Itoa(hp)}}
		svc.Ports = append(svc.Ports, Port{Target: int(p.Target), Host: hp, Requested: p.Published, Why: why})
		if why != "" {
			fmt.Fprintf(d.env.Log, "%s: %s\n", name, why)
		}
	}
	res, err := d.eng.C.ContainerCreate(ctx, client.ContainerCreateOptions{Name: svc.Container, Config: cfg, HostConfig: host,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{netName: {Aliases: []string{name}}}}})
	if err != nil {
		return svc, failure.Wrap(failure.Unknown, err, "create container %s", svc.Container)
	}
	svc.ID = res.ID
	d.ids[name] = res.ID
	if _, err := d.eng.C.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		if strings.Contains(err.Error(), "address already in use") || strings.Contains(err.Error(), "port is already allocated") {
			return svc, &failure.Error{Class: failure.PortConflict, Err: err, Message: fmt.Sprintf("start %s: a host port is taken", svc.Container)}
		}
		return svc, failure.Wrap(failure.Unknown, err, "start container %s", svc.Container)
	}
	if name == d.in.Spec.Name || len(proj.Services) == 1 {
		for _, p := range svc.Ports {
			if p.Target == d.in.Spec.Port || d.out.URL == "" {
				d.out.URL = fmt.Sprintf("http://127.0.0.1:%d", p.Host)
			}
		}
	}
	return svc, nil
}

func orTCP(p string) string {
	if p == "" {
		return "tcp"
	}
	return p
}

// choosePort takes the requested host port when it is free; a taken or
// unset one becomes a free loopback port, unless the user pinned it.
func choosePort(requested string, pinned bool) (int, string, error) {
	if requested != "" {
		want, err := strconv.Atoi(requested)
		if err != nil {
			return 0, "", failure.New(failure.ConfigError, "published port %q is not a number (port ranges are not supported)", requested)
		}
		if free(want) {
			return want, "", nil
		}
		if pinned {
			return 0, "", failure.New(failure.PortConflict, "host port %d is already in use and the compose file (or its environment) fixes it: free the port, or unset the variable that pins it (e.g. HOST_PORT) to let orchestrate choose one", want)
		}
		p, err := freePort()
		return p, fmt.Sprintf("host port %d is in use; using %d instead (the compose file only defaults to it)", want, p), err
	}
	p, err := freePort()
	return p, fmt.Sprintf("no host port requested; using %d", p), err
}

func free(port int) bool {
	for _, addr := range []string{"127.0.0.1", "0.0.0.0"} {
		l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func since(t time.Time) float64 { return float64(time.Since(t).Milliseconds()) / 1000 }

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
