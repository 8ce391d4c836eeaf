package deploy

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	ggtypes "github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// How an image was made (Image.MadeBy).
const (
	Assembled   = "assembled in-process"
	DockerBuild = "docker build"
)

// choose says how a service's image is made, and why: assembled
// in-process when its Dockerfile is the one scaffold generated (its hash
// is the one recorded in the manifest) and uses only what readPlan
// knows; else by the daemon's build, as a hand-edited Dockerfile must be.
func (d *deployer) choose(b *types.BuildConfig) (*plan, string) {
	file := dockerfilePath(b)
	rel, err := filepath.Rel(d.serviceDir(), file)
	shown := filepath.ToSlash(filepath.Join(d.in.Spec.Dir, rel))
	if err != nil || !filepath.IsLocal(rel) {
		return nil, shown + " is outside the service directory: not a generated file"
	}
	sums, err := workspace.Dir{Workdir: d.in.Workdir, Rel: d.in.Spec.Dir, Phase: phase.Scaffold}.Owned()
	if err != nil {
		return nil, fmt.Sprintf("the manifest of generated files cannot be read (%v)", err)
	}
	manifest := d.in.Spec.Dir + "/" + workspace.SumFile
	want, ok := sums[filepath.ToSlash(rel)]
	if !ok {
		return nil, fmt.Sprintf("%s is not a generated file (%s does not record it)", shown, manifest)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Sprintf("%s cannot be read (%v)", shown, err)
	}
	if sum := sha256.Sum256(text); hex.EncodeToString(sum[:]) != want {
		return nil, fmt.Sprintf("%s was edited by hand (its hash is not the one %s records)", shown, manifest)
	}
	if len(b.Args) > 0 || b.Target != "" {
		return nil, "the compose file gives the build arguments or a target"
	}
	p, err := readPlan(string(text))
	if err != nil {
		return nil, fmt.Sprintf("%s is generated but %v", shown, err)
	}
	return &p, fmt.Sprintf("%s is the one scaffold generated (hash recorded in %s)", shown, manifest)
}

func dockerfilePath(b *types.BuildConfig) string {
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(b.Context, dockerfile)
	}
	return dockerfile
}

// assemble makes a service's image the way ko does: one layer holding
// what the Dockerfile copies (the static binary), a config holding the
// rest and the run's labels, written in the `docker save` format as it is
// loaded into the daemon.
func (d *deployer) assemble(ctx context.Context, s types.ServiceConfig, p *plan, tag string) error {
	img, err := d.image(s, p)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigName()
	if err != nil {
		return failure.Wrap(failure.ImageBuildFailed, err, "the image's config")
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return failure.Wrap(failure.ImageBuildFailed, err, "tag %s", tag)
	}
	var log bytes.Buffer
	fmt.Fprintf(&log, "assembled in-process: %d file(s), config %s, tagged %s\n", len(p.copies), cfg, tag)
	id, size, err := d.daemon.LoadImage(ctx, tag, cfg.String(), func(w io.Writer) error { return tarball.Write(ref, img, w) }, &log)
	_, _ = d.env.Art.Write("logs/image-build.txt", log.Bytes())
	d.out.Image = Image{Tag: tag, ID: id, SizeBytes: size, Log: d.env.Art.Rel("logs/image-build.txt"), MadeBy: Assembled}
	return err
}

// image is the service's image: FROM scratch, the plan's files in one
// layer, the plan's config with the run's labels.
func (d *deployer) image(s types.ServiceConfig, p *plan) (v1.Image, error) {
	layer, err := layerOf(p.copies, d.binDir, s.Build.Context)
	if err != nil {
		return nil, err
	}
	cfg := p.config
	labels := map[string]string{}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	// The run's labels and its workdir's, as every object the run makes:
	// the run's cleanup finds what it made by them.
	for k, v := range docker.WithWorkdir(docker.Labels(d.in.RunID, s.Name), d.in.Workdir) {
		labels[k] = v
	}
	cfg.Labels = labels
	now := v1.Time{Time: d.env.Now().UTC()}
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{Architecture: runtime.GOARCH, OS: "linux", Created: now, Config: cfg})
	if err != nil {
		return nil, failure.Wrap(failure.ImageBuildFailed, err, "the image's config")
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer,
		History: v1.History{Created: now, CreatedBy: "COPY " + copied(p.copies), Comment: "assembled by orchestrate"}})
	if err != nil {
		return nil, failure.Wrap(failure.ImageBuildFailed, err, "the image's layer")
	}
	return img, nil
}

func copied(cs []copyOp) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += "; "
		}
		s += c.src + " " + c.dst
	}
	return s
}

// layerOf is an uncompressed layer holding each copied file at its
// destination, owned by root, with its mode and a fixed time (as the
// build context gives them to docker build), and the directories above.
// A source is the binary just built, else a file of the build context.
func layerOf(copies []copyOp, binDir, contextDir string) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, c := range copies {
		src := filepath.Join(binDir, filepath.FromSlash(c.src))
		if !exists(src) {
			src = filepath.Join(contextDir, filepath.FromSlash(c.src))
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, failure.Wrap(failure.ImageBuildFailed, err, "COPY %s: not in the build context", c.src)
		}
		fi, err := os.Stat(src)
		if err != nil {
			return nil, failure.Wrap(failure.ImageBuildFailed, err, "COPY %s", c.src)
		}
		for _, dir := range parents(c.dst) {
			if !dirs[dir] {
				dirs[dir] = true
				_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: time.Unix(0, 0)})
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: c.dst[1:], Mode: int64(fi.Mode().Perm()), Size: int64(len(b)), ModTime: time.Unix(0, 0)}
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
	return static.NewLayer(buf.Bytes(), ggtypes.DockerUncompressedLayer), nil
}

// parents lists the directories above an absolute path, outermost first,
// without the leading slash: /a/b/c gives a, a/b.
func parents(p string) []string {
	var out []string
	for dir := path.Dir(p); dir != "/" && dir != "."; dir = path.Dir(dir) {
		out = append([]string{dir[1:]}, out...)
	}
	return out
}
