package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/client"
)

func engine(t *testing.T) *Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker daemon (-short)")
	}
	eng, err := Connect(context.Background(), "")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and Docker is unreachable: %v", err)
		}
		t.Skipf("Docker is unreachable: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// cancelAt cancels when the build output reaches a step.
type cancelAt struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	step   string
	cancel context.CancelFunc
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.step) {
		c.cancel()
	}
	return len(p), nil
}

// An image build interrupted at any step (SIGINT or SIGTERM cancel the
// run's context) leaves no image behind: no untagged intermediate layer
// that `orchestrate down`, which finds images by label, could not remove.
func TestInterruptedBuildLeavesNoImages(t *testing.T) {
	e := engine(t)
	dir := t.TempDir()
	files := map[string]string{}
	var df strings.Builder
	df.WriteString("FROM scratch\n")
	for i := 0; i < 6; i++ {
		name := fmt.Sprintf("f%d", i)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte('a' + i)}, 4<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		files[name] = p
		fmt.Fprintf(&df, "COPY %s /%s\n", name, name)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	files["Dockerfile"] = filepath.Join(dir, "Dockerfile")
	run := "build-interrupt-" + strings.ToLower(t.Name()[len(t.Name())-6:])
	t.Cleanup(func() { _, _ = e.Down(context.Background(), run) })
	for _, step := range []string{"Step 2/", "Step 5/", "Step 9/"} {
		tar, err := Context(files)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAt{step: step, cancel: cancel}
		_, err = e.Build(ctx, tar, "Dockerfile", []string{"orchestrate-test/interrupt:" + run}, Labels(run, "svc"), w)
		cancel()
		if err == nil {
			t.Errorf("cancelled at %s: the build reports success", step)
		}
		// What this build made is what its log names (---> <id>): other
		// tests build images on the same daemon at the same time.
		var left []string
		for _, m := range regexp.MustCompile(`---> ([0-9a-f]{12})`).FindAllStringSubmatch(w.buf.String(), -1) {
			if _, err := e.C.ImageInspect(context.Background(), m[1]); err == nil {
				left = append(left, m[1])
			}
		}
		if len(left) > 0 {
			t.Errorf("cancelled at %s: %d image(s) left behind: %v\n%s", step, len(left), left, w.buf.String())
			for _, id := range left {
				_, _ = e.C.ImageRemove(context.Background(), id, client.ImageRemoveOptions{Force: true, PruneChildren: true})
			}
		}
	}
	_ = io.Discard
}
