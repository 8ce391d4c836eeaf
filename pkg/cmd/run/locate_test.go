package run

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// From service/, `orchestrate run` finds orchestrate.yaml above it and
// writes its run beside it, not under service/; the run keeps what the
// terminal showed.
func TestRunFromBelowTheWorkdir(t *testing.T) {
	root := t.TempDir()
	cfg, err := os.ReadFile(filepath.Join("..", "..", "..", "orchestrate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "orchestrate.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "service"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "service"))
	f, _, stderr := cmdtest.Factory()
	if err := cmdtest.Exec(f, NewCmdRun(f, nil), "--offline", "--only", "report", "--run-id", "from-below"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	e, err := summary.Find(filepath.Join(root, "artifacts"), "from-below")
	if err != nil || e.Summary.Status != summary.Success {
		t.Fatalf("summary beside the config: %+v, %v", e, err)
	}
	if _, err := os.Stat(filepath.Join(root, "service", "artifacts")); !os.IsNotExist(err) {
		t.Errorf("service/artifacts was created (%v)", err)
	}
	tr, err := os.ReadFile(filepath.Join(root, "artifacts", "from-below", "transcript.txt"))
	if err != nil || !strings.Contains(string(tr), "[report] success") || !strings.Contains(string(tr), "run from-below SUCCESS") || strings.Contains(string(tr), "\x1b") {
		t.Errorf("transcript.txt (%v):\n%s", err, tr)
	}
}
