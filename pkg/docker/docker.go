// Package docker is orchestrate's use of the Docker Engine through the
// Go SDK (github.com/moby/moby/client): connecting with API version
// negotiation, building images from a minimal context, and finding and
// removing by label everything a run created. Every object orchestrate
// creates carries the labels below, so cleanup never depends on memory.
package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// ReleaseRepo prefixes the image repositories of services' releases
// (pkg/release): an image tagged there is a release, which Down never
// removes; it removes only the run's own tags of it.
const ReleaseRepo = "orchestrate-release/"

// Labels on every object orchestrate creates.
const (
	LabelManaged = "dev.orchestrate.managed" // "true"
	LabelRun     = "dev.orchestrate.run"     // the run id
	LabelService = "dev.orchestrate.service" // the compose service
	// LabelWorkdir says which workdir's run made the object: a run id is
	// unique within one artifacts directory only, and two workdirs share
	// the daemon.
	LabelWorkdir = "dev.orchestrate.workdir"
)

// WorkdirID is the value of LabelWorkdir for a workdir: a digest of its
// absolute path, so the label does not publish the path.
func WorkdirID(workdir string) string {
	if abs, err := filepath.Abs(workdir); err == nil {
		workdir = abs
	}
	sum := sha256.Sum256([]byte(workdir))
	return hex.EncodeToString(sum[:8])
}

// WithWorkdir returns labels plus the workdir's, leaving labels as they are.
func WithWorkdir(labels map[string]string, workdir string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	for k, v := range labels {
		out[k] = v
	}
	out[LabelWorkdir] = WorkdirID(workdir)
	return out
}

// Engine is a connection to a Docker daemon.
type Engine struct {
	C       *client.Client
	Host    string
	Version string // the daemon's
	API     string // negotiated
}

// Connect reaches the daemon at host (empty: DOCKER_HOST, else the local
// socket) and negotiates the API version. An unreachable daemon is a
// docker_unavailable failure that leaves the run partial.
func Connect(ctx context.Context, host string) (*Engine, error) {
	e, err := Dial(host)
	if err != nil {
		return nil, err
	}
	if err := e.Ping(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Dial makes a client for the daemon at host (empty: DOCKER_HOST, else
// the local socket) without reaching it: Ping does.
func Dial(host string) (*Engine, error) {
	opts := []client.Opt{client.FromEnv} // API-version negotiation is on by default
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, unavailable(host, err)
	}
	return &Engine{C: c, Host: c.DaemonHost()}, nil
}

// Ping reaches the daemon, negotiates the API version and asks the
// daemon's. An unreachable daemon is a docker_unavailable failure that
// leaves the run partial.
func (e *Engine) Ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.C.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return unavailable(e.Host, err)
	}
	e.API = e.C.ClientVersion()
	if v, err := e.C.ServerVersion(pctx, client.ServerVersionOptions{}); err == nil {
		e.Version = v.Version
	}
	return nil
}

func unavailable(host string, err error) error {
	if host == "" {
		host = "the default socket"
	}
	return &failure.Error{Class: failure.DockerUnavailable, Partial: true, Err: err,
		Message: fmt.Sprintf("cannot reach the Docker daemon at %s: start Docker (e.g. `sudo systemctl start docker`), set DOCKER_HOST or docker.host, or skip the phases that need it with --skip deploy,test", host)}
}

// Close closes the connection.
func (e *Engine) Close() error { return e.C.Close() }

// Labels returns the labels of an object of run (service may be empty).
func Labels(run, service string) map[string]string {
	l := map[string]string{LabelManaged: "true", LabelRun: run}
	if service != "" {
		l[LabelService] = service
	}
	return l
}

// Context builds a tar build context holding exactly files: name in the
// context -> path on disk.
func Context(files map[string]string) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := os.ReadFile(files[name])
		if err != nil {
			return nil, fmt.Errorf("build context: %w", err)
		}
		fi, err := os.Stat(files[name])
		if err != nil {
			return nil, err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(name), Mode: int64(fi.Mode().Perm()), Size: int64(len(b)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

// BuildError is a failing build step.
type BuildError struct {
	Step   string // "Step 3/6 : COPY missing /x", when the daemon said
	Output string
	Err    string
}

func (e *BuildError) Error() string {
	if e.Step != "" {
		return fmt.Sprintf("%s: %s", e.Step, e.Err)
	}
	return e.Err
}

// buildGrace bounds how long an interrupted build is let run on so that
// what it made can be found and removed.
const buildGrace = 2 * time.Minute

// Build builds an image from ctxTar, streaming the daemon's output to log,
// and returns its id. A failing step is an image_build_failed failure.
//
// The daemon commits an untagged, unlabelled image after every step, and
// cancelling the request mid-build leaves the ones the client had not yet
// heard of behind, where `down` (which finds images by label) cannot see
// them. So the request runs on a context of its own: when ctx ends, the
// build is let finish or fail (for at most buildGrace), every image it
// reported is removed, and ctx's error is returned.
func (e *Engine) Build(ctx context.Context, ctxTar io.Reader, dockerfile string, tags []string, labels map[string]string, log io.Writer) (string, error) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopGrace := context.AfterFunc(ctx, func() {
		fmt.Fprintf(log, "interrupted: letting the build end (at most %s) to remove what it made\n", buildGrace)
		time.AfterFunc(buildGrace, cancel)
	})
	defer stopGrace()
	res, err := e.C.ImageBuild(bctx, ctxTar, client.ImageBuildOptions{Tags: tags, Dockerfile: dockerfile, Labels: labels, Remove: true, ForceRemove: true,
		// No layer cache: a concurrent run removing its image (and its parent
		// layers) must not pull a cached layer from under this build.
		NoCache: true})
	if err != nil {
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		return "", failure.Wrap(failure.ImageBuildFailed, err, "start the image build")
	}
	defer res.Body.Close()
	var made []string // every image of this build, intermediate ones first
	built := false
	defer func() {
		if !built {
			e.removeBuilt(context.WithoutCancel(ctx), made)
		}
	}()
	id, err := e.readBuild(res.Body, log, &made)
	if ctx.Err() != nil {
		if id != "" {
			made = append(made, id)
		}
		return "", context.Cause(ctx)
	}
	if err != nil {
		return "", err
	}
	built = true
	if id == "" && len(tags) > 0 {
		if ii, err := e.C.ImageInspect(ctx, tags[0]); err == nil {
			id = ii.ID
		}
	}
	return id, nil
}

// readBuild follows the build's output to its end, adding each image it
// reports to made, and returns the built image's id.
func (e *Engine) readBuild(body io.Reader, log io.Writer, made *[]string) (string, error) {
	var out strings.Builder
	var step, id string
	dec := json.NewDecoder(body)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return id, nil
		} else if err != nil {
			return id, failure.Wrap(failure.ImageBuildFailed, err, "read the build output")
		}
		if m.Stream != "" {
			out.WriteString(m.Stream)
			_, _ = io.WriteString(log, m.Stream)
			if s := strings.TrimSpace(m.Stream); strings.HasPrefix(s, "Step ") {
				step = s
			} else if l, ok := strings.CutPrefix(s, "---> "); ok && layerRe.MatchString(l) {
				*made = append(*made, l)
			} else if l, ok := strings.CutPrefix(s, "Successfully built "); ok && layerRe.MatchString(l) {
				*made = append(*made, l)
			}
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
				*made = append(*made, aux.ID)
			}
		}
		if m.Error != nil {
			fmt.Fprintf(log, "ERROR: %s\n", m.Error.Message)
			be := &BuildError{Step: step, Output: out.String(), Err: m.Error.Message}
			return id, &failure.Error{Class: failure.ImageBuildFailed, Message: "the image build failed at " + be.Error(), Err: be}
		}
	}
}

// removeBuilt removes the images of a build that did not complete, last
// first, the tagged final image with its tags.
func (e *Engine) removeBuilt(ctx context.Context, made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		_, _ = e.C.ImageRemove(ctx, made[i], client.ImageRemoveOptions{Force: true, PruneChildren: true})
	}
}

var layerRe = regexp.MustCompile(`^[0-9a-f]{12}$`)

// Logs returns the last tail lines of a container's output ("all" for
// everything), stdout and stderr interleaved as written.
func (e *Engine) Logs(ctx context.Context, id, tail string) (string, error) {
	r, err := e.C.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: tail, Timestamps: true})
	if err != nil {
		return "", err
	}
	defer r.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, r); err != nil {
		return out.String(), err
	}
	return out.String(), nil
}

// Removed is what Down removed.
type Removed struct {
	Containers []string `json:"containers"`
	Networks   []string `json:"networks"`
	Images     []string `json:"images"`
}

// Down removes every container, network and image labelled with run (all
// of orchestrate's when run is empty). It goes on after an error and
// returns the first.
func (e *Engine) Down(ctx context.Context, run string) (Removed, error) {
	return e.DownWorkdir(ctx, run, "")
}

// DownWorkdir is Down for the run of one workdir only: a run of the same
// id in another workdir keeps its objects. An empty workdir is Down.
func (e *Engine) DownWorkdir(ctx context.Context, run, workdir string) (Removed, error) {
	f := client.Filters{}.Add("label", LabelManaged+"=true")
	if run != "" {
		f.Add("label", LabelRun+"="+run)
	}
	if workdir != "" {
		f.Add("label", LabelWorkdir+"="+WorkdirID(workdir))
	}
	var rm Removed
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	cs, err := e.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	keep(err)
	for _, c := range cs.Items {
		_, err := e.C.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err == nil {
			rm.Containers = append(rm.Containers, strings.TrimPrefix(firstOr(c.Names, c.ID), "/"))
		}
		keep(err)
	}
	ns, err := e.C.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	keep(err)
	for _, n := range ns.Items {
		_, err := e.C.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
		if err == nil {
			rm.Networks = append(rm.Networks, n.Name)
		}
		keep(err)
	}
	is, err := e.C.ImageList(ctx, client.ImageListOptions{Filters: f})
	keep(err)
	for _, im := range is.Items {
		if isRelease(im.RepoTags) {
			for _, t := range im.RepoTags {
				if !strings.HasPrefix(t, ReleaseRepo) {
					_, err := e.C.ImageRemove(ctx, t, client.ImageRemoveOptions{})
					if err == nil {
						rm.Images = append(rm.Images, t)
					}
					keep(err)
				}
			}
			continue
		}
		_, err := e.C.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		if err == nil {
			rm.Images = append(rm.Images, firstOr(im.RepoTags, im.ID))
		}
		keep(err)
	}
	return rm, first
}

// isRelease: a tag of the image is a release (pkg/release).
func isRelease(tags []string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, ReleaseRepo) {
			return true
		}
	}
	return false
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// Leftovers counts, by run id, the containers (running or not) that runs
// left on the daemon: after --keep, or a crash.
func (e *Engine) Leftovers(ctx context.Context) (map[string]int, error) {
	f := client.Filters{}.Add("label", LabelManaged+"=true")
	cs, err := e.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	out := map[string]int{}
	for _, c := range cs.Items {
		if run := c.Labels[LabelRun]; run != "" {
			out[run]++
		}
	}
	return out, nil
}

// Leftovers connects to the daemon at host (empty: DOCKER_HOST) and
// returns Engine.Leftovers.
func Leftovers(ctx context.Context, host string) (map[string]int, error) {
	e, err := Connect(ctx, host)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Leftovers(ctx)
}
