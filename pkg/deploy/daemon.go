package deploy

import (
	"context"
	"io"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// Daemon is what deploy needs of the Docker daemon. The real one is the
// pkg/docker engine; tests give a fake, so that what deploy decides
// (ports, the URL, health) is tested without a daemon.
type Daemon interface {
	// Ping reaches the daemon and says which it is. An unreachable daemon
	// is a docker_unavailable failure.
	Ping(ctx context.Context) (Engine, error)
	// BuildImage builds an image from a tar context holding a Dockerfile
	// at its root, writes the daemon's output to log, and returns the
	// image's id and size. A failing step is an image_build_failed failure.
	BuildImage(ctx context.Context, buildContext io.Reader, tag string, labels map[string]string, log io.Writer) (id string, size int64, err error)
	// LoadImage loads an image written by write in the `docker save`
	// format, tagged tag; id is its id, known beforehand, by which an
	// interrupted load is cleaned up. It returns the image's id and size.
	LoadImage(ctx context.Context, tag, id string, write func(io.Writer) error, log io.Writer) (string, int64, error)
	CreateNetwork(ctx context.Context, name string, labels map[string]string) error
	CreateContainer(ctx context.Context, opts client.ContainerCreateOptions) (id string, err error)
	StartContainer(ctx context.Context, id string) error
	// ContainerState is the container's state, its health included.
	ContainerState(ctx context.Context, id string) (container.State, error)
	// RemoveContainer removes a container, running or not.
	RemoveContainer(ctx context.Context, id string) error
	// Logs is the last tail lines of a container's output ("all" for
	// everything).
	Logs(ctx context.Context, id, tail string) (string, error)
	// Down removes everything labelled with run.
	Down(ctx context.Context, run string) (docker.Removed, error)
	Close() error
}

// dialDocker is the real daemon at host, not yet reached. What it creates
// carries the workdir's label, and Down removes only that workdir's.
func dialDocker(host, workdir string) (Daemon, error) {
	e, err := docker.Dial(host)
	if err != nil {
		return nil, err
	}
	return dockerDaemon{e: e, workdir: workdir}, nil
}

// dockerDaemon is the pkg/docker engine as a Daemon.
type dockerDaemon struct {
	e       *docker.Engine
	workdir string // labels what it creates; "" for no such label
}

// labels adds the workdir's label.
func (g dockerDaemon) labels(l map[string]string) map[string]string {
	if g.workdir == "" {
		return l
	}
	return docker.WithWorkdir(l, g.workdir)
}

func (g dockerDaemon) Ping(ctx context.Context) (Engine, error) {
	if err := g.e.Ping(ctx); err != nil {
		return Engine{}, err
	}
	return Engine{Host: g.e.Host, Version: g.e.Version, API: g.e.API}, nil
}

func (g dockerDaemon) BuildImage(ctx context.Context, buildContext io.Reader, tag string, labels map[string]string, log io.Writer) (string, int64, error) {
	id, err := g.e.Build(ctx, buildContext, "Dockerfile", []string{tag}, g.labels(labels), log)
	if err != nil {
		return id, 0, err
	}
	var size int64
	if ii, err := g.e.C.ImageInspect(ctx, id); err == nil {
		size = ii.Size
	}
	return id, size, nil
}

func (g dockerDaemon) LoadImage(ctx context.Context, tag, id string, write func(io.Writer) error, log io.Writer) (string, int64, error) {
	loaded, err := g.e.Load(ctx, tag, id, write, log)
	if err != nil {
		return loaded, 0, err
	}
	var size int64
	if ii, err := g.e.C.ImageInspect(ctx, loaded); err == nil {
		size = ii.Size
	}
	return loaded, size, nil
}

func (g dockerDaemon) CreateNetwork(ctx context.Context, name string, labels map[string]string) error {
	_, err := g.e.C.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: "bridge", Labels: g.labels(labels)})
	return err
}

func (g dockerDaemon) CreateContainer(ctx context.Context, opts client.ContainerCreateOptions) (string, error) {
	if opts.Config != nil {
		cfg := *opts.Config
		cfg.Labels = g.labels(cfg.Labels)
		opts.Config = &cfg
	}
	res, err := g.e.C.ContainerCreate(ctx, opts)
	return res.ID, err
}

func (g dockerDaemon) StartContainer(ctx context.Context, id string) error {
	_, err := g.e.C.ContainerStart(ctx, id, client.ContainerStartOptions{})
	return err
}

func (g dockerDaemon) ContainerState(ctx context.Context, id string) (container.State, error) {
	ci, err := g.e.C.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil || ci.Container.State == nil {
		return container.State{}, err
	}
	return *ci.Container.State, nil
}

func (g dockerDaemon) RemoveContainer(ctx context.Context, id string) error {
	_, err := g.e.C.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
	return err
}

func (g dockerDaemon) Logs(ctx context.Context, id, tail string) (string, error) {
	return g.e.Logs(ctx, id, tail)
}

func (g dockerDaemon) Down(ctx context.Context, run string) (docker.Removed, error) {
	return g.e.DownWorkdir(ctx, run, g.workdir)
}

func (g dockerDaemon) Close() error { return g.e.Close() }
