package deploy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// Two runs with one run id in two workdirs share the daemon: the cleanup
// of one removes its own image, network and container, never the other's.
func TestSameRunIDInTwoWorkdirsDoNotRemoveEachOther(t *testing.T) {
	eng := engine(t)
	const run = "same-run-id-two-workdirs"
	t.Cleanup(func() { _, _ = eng.Down(context.Background(), run) })
	ctx := context.Background()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "Dockerfile"), []byte("FROM scratch\nCOPY x /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "x"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	made := map[string]string{} // workdir -> container id
	var daemons []Daemon
	for _, wd := range []string{t.TempDir(), t.TempDir()} {
		d, err := dialDocker("", wd)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		daemons = append(daemons, d)
		tar, err := docker.Context(map[string]string{"Dockerfile": filepath.Join(src, "Dockerfile"), "x": filepath.Join(src, "x")})
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := d.BuildImage(ctx, tar, "orchestrate-test/workdirs:"+docker.WorkdirID(wd), docker.Labels(run, "svc"), os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.CreateNetwork(ctx, "orchestrate-test-"+docker.WorkdirID(wd), docker.Labels(run, "")); err != nil {
			t.Fatal(err)
		}
		id, err := d.CreateContainer(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img, Cmd: []string{"/x"}, Labels: docker.Labels(run, "svc")}})
		if err != nil {
			t.Fatal(err)
		}
		made[wd] = id
	}
	rm, err := daemons[0].Down(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(rm.Containers) != 1 || len(rm.Networks) != 1 || len(rm.Images) != 1 {
		t.Errorf("the first workdir's cleanup removed %+v, want its one container, network and image", rm)
	}
	cs, err := eng.C.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", docker.LabelRun+"="+run)})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, c := range cs.Items {
		left = append(left, c.ID)
	}
	var second string
	for wd, id := range made {
		if docker.WorkdirID(wd) != rm.Networks[0][len("orchestrate-test-"):] {
			second = id
		}
	}
	if !slices.Equal(left, []string{second}) {
		t.Errorf("containers left %v, want only the other workdir's %s", left, second)
	}
}
