package release

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// Repo is the image repository of a service's releases; its tags are
// "stable", "previous" and, after a rollback by hand, "rolled-back".
func Repo(service string) string { return docker.ReleaseRepo + strings.ToLower(service) }

// Candidate is the running container of the service a run deployed (and
// the test phase may have redeployed).
type Candidate struct {
	ID      string
	Image   string // image id
	Network string
	Env     []string
	Port    int    // the service's port in the container
	URL     string // from the host
	Labels  map[string]string
	Health  *container.HealthConfig
}

var loopback = netip.MustParseAddr("127.0.0.1")

// engine is the release's use of the Docker daemon.
type engine struct{ e *docker.Engine }

// candidate finds the running container of service in run, by label.
func (g engine) candidate(ctx context.Context, run, service string, port int) (Candidate, error) {
	f := client.Filters{}.Add("label", docker.LabelRun+"="+run).Add("label", docker.LabelService+"="+service).Add("status", "running")
	cs, err := g.e.C.ContainerList(ctx, client.ContainerListOptions{Filters: f})
	if err != nil {
		return Candidate{}, err
	}
	if len(cs.Items) == 0 {
		return Candidate{}, fmt.Errorf("no running container of %s in run %s: the deploy phase left none", service, run)
	}
	ci, err := g.e.C.ContainerInspect(ctx, cs.Items[0].ID, client.ContainerInspectOptions{})
	if err != nil {
		return Candidate{}, err
	}
	c := ci.Container
	cand := Candidate{ID: c.ID, Image: c.Image, Port: port, Labels: c.Config.Labels, Health: c.Config.Healthcheck}
	// The deployment's environment (the compose file's), without what the
	// candidate's image itself sets: the stable release keeps its own.
	ii, err := g.e.C.ImageInspect(ctx, c.Image)
	if err != nil {
		return Candidate{}, err
	}
	own := map[string]bool{}
	if ii.Config != nil {
		for _, kv := range ii.Config.Env {
			own[kv] = true
		}
	}
	for _, kv := range c.Config.Env {
		if !own[kv] {
			cand.Env = append(cand.Env, kv)
		}
	}
	for name := range c.NetworkSettings.Networks {
		cand.Network = name
	}
	for p, bs := range c.NetworkSettings.Ports {
		if p.Num() == uint16(port) && len(bs) > 0 {
			cand.URL = fmt.Sprintf("http://127.0.0.1:%s", bs[0].HostPort)
		}
	}
	if cand.URL == "" {
		return cand, fmt.Errorf("the container of %s publishes no host port for %d", service, port)
	}
	return cand, nil
}

// image is the id of ref, "" when there is none.
func (g engine) image(ctx context.Context, ref string) (string, error) {
	ii, err := g.e.C.ImageInspect(ctx, ref)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "no such image") {
			return "", nil
		}
		return "", err
	}
	return ii.ID, nil
}

// promote makes image the stable release of service, and the stable one
// so far previous. Releases are tags in the service's release repository:
// a run's cleanup removes only the run's own tag of an image that is a
// release (docker.Down), so the image stays for a rollback.
func (g engine) promote(ctx context.Context, service, image string) (string, error) {
	repo := Repo(service)
	old, err := g.image(ctx, repo+":stable")
	if err != nil {
		return "", err
	}
	if old != "" && old != image {
		before, err := g.image(ctx, repo+":previous")
		if err != nil {
			return "", err
		}
		if _, err := g.e.C.ImageTag(ctx, client.ImageTagOptions{Source: old, Target: repo + ":previous"}); err != nil {
			return "", fmt.Errorf("keep the stable release as previous: %w", err)
		}
		// The release before previous is no longer one: with no tag left
		// it would stay on the daemon, found by no label a cleanup uses.
		if before != "" && before != old && before != image {
			if ii, err := g.e.C.ImageInspect(ctx, before); err == nil && len(ii.RepoTags) == 0 {
				_, _ = g.e.C.ImageRemove(ctx, before, client.ImageRemoveOptions{PruneChildren: true})
			}
		}
	}
	if _, err := g.e.C.ImageTag(ctx, client.ImageTagOptions{Source: image, Target: repo + ":stable"}); err != nil {
		return "", fmt.Errorf("tag the candidate as the stable release: %w", err)
	}
	return image, nil
}

// rollback makes the previous release the stable one again.
func (g engine) rollback(ctx context.Context, service string) (from, to string, err error) {
	repo := Repo(service)
	if from, err = g.image(ctx, repo+":stable"); err != nil {
		return "", "", err
	}
	if to, err = g.image(ctx, repo+":previous"); err != nil {
		return "", "", err
	}
	if to == "" {
		return from, "", fmt.Errorf("%s has no previous release to roll back to", service)
	}
	if from != "" {
		if _, err := g.e.C.ImageTag(ctx, client.ImageTagOptions{Source: from, Target: repo + ":rolled-back"}); err != nil {
			return "", "", err
		}
	}
	_, err = g.e.C.ImageTag(ctx, client.ImageTagOptions{Source: to, Target: repo + ":stable"})
	return from, to, err
}

// startStable runs the stable release beside the candidate: the same
// environment, the run's network and labels, a free loopback port.
func (g engine) startStable(ctx context.Context, cand Candidate, image, name string, hostPort int) (string, error) {
	labels := map[string]string{}
	for k, v := range cand.Labels {
		labels[k] = v
	}
	labels[docker.LabelService] = labels[docker.LabelService] + "-stable"
	port, err := network.ParsePort(fmt.Sprintf("%d/tcp", cand.Port))
	if err != nil {
		return "", err
	}
	cfg := &container.Config{Image: image, Env: cand.Env, Labels: labels, ExposedPorts: network.PortSet{port: {}}, Healthcheck: cand.Health}
	host := &container.HostConfig{PortBindings: network.PortMap{port: {{HostIP: loopback, HostPort: fmt.Sprint(hostPort)}}}}
	res, err := g.e.C.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: cfg, HostConfig: host,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{cand.Network: {}}}})
	if err != nil {
		return "", err
	}
	if _, err := g.e.C.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return res.ID, err
	}
	return res.ID, nil
}

// remove removes a container, running or not.
func (g engine) remove(ctx context.Context, id string) error {
	_, err := g.e.C.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
	return err
}
