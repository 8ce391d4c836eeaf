package deploy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// startContainers creates the run's network (a redeploy keeps the one it
// had) and starts each service's container on it. A redeploy replaces the
// containers of the services it rebuilt and keeps the others.
func (d *deployer) startContainers(ctx context.Context) error {
	if d.prev == nil {
		netName := "orchestrate-" + strings.ToLower(d.in.RunID)
		if err := d.daemon.CreateNetwork(ctx, netName, docker.Labels(d.in.RunID, "")); err != nil {
			return failure.Wrap(failure.Unknown, err, "create network %s", netName)
		}
		d.out.Network = netName
	}
	d.ids = map[string]string{}
	for _, name := range d.proj.names() {
		if old := d.previous(name); old != nil {
			if d.proj.Services[name].Build == nil {
				d.out.Services = append(d.out.Services, *old) // unchanged: not rebuilt
				continue
			}
			if err := d.daemon.RemoveContainer(ctx, old.ID); err != nil {
				return failure.Wrap(failure.Unknown, err, "remove the old container %s", old.Container)
			}
		}
		svc, err := d.start(ctx, name)
		d.out.Services = append(d.out.Services, svc)
		if err != nil {
			return err
		}
	}
	return nil
}

// start creates and starts one service's container. Another process can
// take a free host port between the check and the start: when no port of
// the service is pinned, the container is removed and ports are chosen
// again, up to three times.
func (d *deployer) start(ctx context.Context, name string) (Service, error) {
	pinned := false
	for i := range d.proj.Services[name].Ports {
		pinned = pinned || d.proj.isPinned(name, i)
	}
	for attempt := 1; ; attempt++ {
		svc, err := d.startOnce(ctx, name)
		var fe *failure.Error
		if err == nil || pinned || attempt == 3 || !errors.As(err, &fe) || fe.Class != failure.PortConflict || svc.ID == "" {
			return svc, err
		}
		fmt.Fprintf(d.env.Log, "%s: a host port was taken between the check and the start; choosing again\n", name)
		_ = d.daemon.RemoveContainer(context.WithoutCancel(ctx), svc.ID)
		delete(d.ids, name)
	}
}

func (d *deployer) startOnce(ctx context.Context, name string) (Service, error) {
	s := d.proj.Services[name]
	svc := Service{Name: name, Container: strings.ToLower(fmt.Sprintf("%s-%s-%s", d.proj.Name, name, d.in.RunID))}
	cfg := containerConfig(s, d.images[name], docker.Labels(d.in.RunID, name))
	host := &container.HostConfig{PortBindings: network.PortMap{}}
	var err error
	svc.Ports, err = d.publish(name, cfg, host)
	if err != nil {
		return svc, err
	}
	id, err := d.daemon.CreateContainer(ctx, client.ContainerCreateOptions{Name: svc.Container, Config: cfg, HostConfig: host,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{d.out.Network: {Aliases: []string{name}}}}})
	if err != nil {
		return svc, failure.Wrap(failure.Unknown, err, "create container %s", svc.Container)
	}
	svc.ID = id
	d.ids[name] = id
	if err := d.daemon.StartContainer(ctx, svc.ID); err != nil {
		if strings.Contains(err.Error(), "address already in use") || strings.Contains(err.Error(), "port is already allocated") {
			return svc, &failure.Error{Class: failure.PortConflict, Err: err, Message: fmt.Sprintf("start %s: a host port is taken", svc.Container)}
		}
		return svc, failure.Wrap(failure.Unknown, err, "start container %s", svc.Container)
	}
	d.selectURL(name, svc.Ports)
	return svc, nil
}

// containerConfig is a compose service's container: its image, labels,
// environment and healthcheck.
func containerConfig(s types.ServiceConfig, image string, labels map[string]string) *container.Config {
	cfg := &container.Config{Image: image, Labels: labels, ExposedPorts: network.PortSet{}}
	for k, v := range s.Labels {
		cfg.Labels[k] = v
	}
	for k, v := range s.Environment {
		if v != nil {
			cfg.Env = append(cfg.Env, k+"="+*v)
		}
	}
	hc := s.HealthCheck
	if hc == nil || hc.Disable {
		return cfg
	}
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
	return cfg
}

var loopback = netip.MustParseAddr("127.0.0.1")

// publish chooses a host port for each of the service's published ports
// and binds it on the loopback interface. The ports chosen so far come
// back with an error too.
func (d *deployer) publish(name string, cfg *container.Config, host *container.HostConfig) ([]Port, error) {
	var ports []Port
	for i, p := range d.proj.Services[name].Ports {
		port, err := network.ParsePort(fmt.Sprintf("%d/%s", p.Target, orTCP(p.Protocol)))
		if err != nil {
			return ports, failure.Wrap(failure.ConfigError, err, "compose service %s port %d", name, p.Target)
		}
		requested := p.Published
		if old := d.previous(name); old != nil && i < len(old.Ports) {
			// A redeploy keeps the address when it can; another process may
			// have taken it while the old container was being replaced, and
			// then a port the user did not pin is chosen again.
			requested = strconv.Itoa(old.Ports[i].Host)
		}
		hp, why, err := choosePort(requested, d.proj.isPinned(name, i))
		if err != nil {
			return ports, err
		}
		cfg.ExposedPorts[port] = struct{}{}
		host.PortBindings[port] = []network.PortBinding{{HostIP: loopback, HostPort: strconv.Itoa(hp)}}
		ports = append(ports, Port{Target: int(p.Target), Host: hp, Requested: p.Published, Why: why})
		if why != "" {
			fmt.Fprintf(d.env.Log, "%s: %s\n", name, why)
		}
	}
	return ports, nil
}

// selectURL takes the spec's service's address from its ports: the one
// publishing the spec's port, else the first.
func (d *deployer) selectURL(name string, ports []Port) {
	if name != d.in.Spec.Name && len(d.proj.Services) != 1 {
		return
	}
	for _, p := range ports {
		if p.Target == d.in.Spec.Port || d.out.URL == "" {
			d.out.URL = fmt.Sprintf("http://127.0.0.1:%d", p.Host)
		}
	}
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
