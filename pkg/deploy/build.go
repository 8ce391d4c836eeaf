package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// buildBinary builds the service for linux, statically, into binDir.
func (d *deployer) buildBinary(ctx context.Context) error {
	g := d.in.Go.Or(d.env.Log, nil)
	g.Extra = append(append([]string(nil), g.Extra...), "GOOS=linux", "GOARCH="+runtime.GOARCH)
	r, err := g.Run(ctx, d.serviceDir(), "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(d.binDir, d.in.Spec.Name), ".")
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
	return nil
}

// buildImages builds the image of each service with a build section; a
// service with only an image uses it as it is, since nothing can be pulled.
func (d *deployer) buildImages(ctx context.Context) error {
	d.images = map[string]string{}
	for _, name := range d.proj.names() {
		s := d.proj.Services[name]
		if s.Build == nil {
			if s.Image == "" {
				return failure.New(failure.ConfigError, "compose service %s has neither build nor image", name)
			}
			d.images[name] = s.Image // must exist locally
			continue
		}
		tag := strings.ToLower(d.in.Spec.Name + ":" + d.in.RunID)
		if len(d.proj.Services) > 1 {
			tag = strings.ToLower(d.in.Spec.Name + "-" + name + ":" + d.in.RunID)
		}
		if err := d.buildImage(ctx, s, tag); err != nil {
			return err
		}
		d.images[name] = tag
	}
	return nil
}

// buildImage makes one service's image: assembled in-process when its
// Dockerfile is the generated one, else built by the daemon. Which, and
// why, go to the output and the phase log.
func (d *deployer) buildImage(ctx context.Context, s types.ServiceConfig, tag string) error {
	p, why := d.choose(s.Build)
	var err error
	if p != nil {
		err = d.assemble(ctx, s, p, tag)
	} else {
		err = d.dockerBuild(ctx, s, tag)
	}
	d.out.Image.Why = why
	fmt.Fprintf(d.env.Log, "image %s: %s, because %s\n", tag, d.out.Image.MadeBy, why)
	return err
}

// dockerBuild builds one service's image with the daemon, keeping its
// output beside the phase.
func (d *deployer) dockerBuild(ctx context.Context, s types.ServiceConfig, tag string) error {
	tarball, err := buildContext(s.Build, d.binDir)
	if err != nil {
		return err
	}
	log, err := os.CreateTemp("", "orchestrate-build-log-*")
	if err != nil {
		return err
	}
	defer os.Remove(log.Name())
	id, size, err := d.daemon.BuildImage(ctx, tarball, tag, docker.Labels(d.in.RunID, s.Name), log)
	log.Close()
	b, _ := os.ReadFile(log.Name())
	_, _ = d.env.Art.Write("logs/image-build.txt", b)
	d.out.Image = Image{Tag: tag, ID: id, SizeBytes: size, Log: d.env.Art.Rel("logs/image-build.txt"), MadeBy: DockerBuild}
	var fe *failure.Error
	if errors.As(err, &fe) {
		fe.Where = d.out.Image.Log
	}
	return err
}

// buildContext is a tar holding only the Dockerfile and what it copies:
// the binary just built, else files of the build context directory.
func buildContext(b *types.BuildConfig, binDir string) (io.Reader, error) {
	dockerfile := dockerfilePath(b)
	text, err := os.ReadFile(dockerfile)
	if err != nil {
		return nil, failure.Wrap(failure.ImageBuildFailed, err, "read the Dockerfile")
	}
	files := map[string]string{"Dockerfile": dockerfile}
	for _, src := range copySources(string(text)) {
		if p := filepath.Join(binDir, src); exists(p) {
			files[src] = p
		} else if p := filepath.Join(b.Context, src); exists(p) {
			files[src] = p
		}
		// A missing source is left for the build to report, with its step.
	}
	return docker.Context(files)
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

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
