package runs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestNewCmdRuns(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "defaults", Want: Options{}},
		{Name: "config", Args: []string{"--config", "../orchestrate.yaml"}, Want: Options{ConfigFile: "../orchestrate.yaml"}},
		{Name: "artifacts", Args: []string{"--artifacts", "ci-artifacts"}, Want: Options{Artifacts: "ci-artifacts"}},
		{Name: "artifacts with =", Args: []string{"--artifacts=/tmp/a"}, Want: Options{Artifacts: "/tmp/a"}},
		{Name: "artifacts given twice, the last wins", Args: []string{"--artifacts", "a", "--artifacts", "b"}, Want: Options{Artifacts: "b"}},
		{Name: "an argument", Args: []string{"20261120T224100Z-1a2b3c"}, WantErr: `unknown command "20261120T224100Z-1a2b3c" for "orchestrate runs"`},
		{Name: "artifacts without value", Args: []string{"--artifacts"}, WantErr: "flag needs an argument: --artifacts"},
		{Name: "unknown flag", Args: []string{"--json"}, WantErr: "unknown flag: --json"},
		{Name: "unknown shorthand", Args: []string{"-a", "x"}, WantErr: "unknown shorthand flag: 'a' in -a"},
	}
	cmdtest.CheckFlags(t, NewCmdRuns, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}

// From service/, `orchestrate runs` finds the runs beside the workdir's
// orchestrate.yaml, and says which left containers.
func TestListFromBelowTheWorkdir(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"service", "artifacts"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "orchestrate.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"20261121T100000Z-aaaaaa", "20261121T100100Z-bbbbbb"} {
		s := &summary.Summary{SchemaVersion: summary.SchemaVersion, RunID: id, Status: summary.Success,
			StartedAt: t0.Add(time.Duration(i) * time.Minute), FinishedAt: t0.Add(time.Duration(i)*time.Minute + time.Second)}
		if _, err := summary.Write(filepath.Join(root, "artifacts"), s); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(root, "service"))
	f, stdout, stderr := cmdtest.Factory()
	opts := &Options{F: f, Leftovers: func(context.Context) (map[string]int, error) {
		return map[string]int{"20261121T100000Z-aaaaaa": 2, "someone-elses": 1}, nil
	}}
	if err := List(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "20261121T100100Z-bbbbbb") || !strings.HasSuffix(lines[1], "-") ||
		!strings.HasPrefix(lines[2], "20261121T100000Z-aaaaaa") || !strings.HasSuffix(lines[2], "2 left") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr.String(), "orchestrate down") {
		t.Errorf("stderr %q does not point at orchestrate down", stderr)
	}
	// Run ids complete from the same place, newest first.
	var none string
	ids, _ := CompleteRunIDs(&none, &none)(nil, nil, "")
	if len(ids) != 2 || ids[0] != "20261121T100100Z-bbbbbb\tsuccess" {
		t.Errorf("completions %q", ids)
	}
}
