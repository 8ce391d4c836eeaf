package run

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// mountTmpfs mounts a file system of size bytes at a new directory, or
// skips when this process may not mount (it needs root).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (%v): the unit tests in pkg/artifact and pkg/audit inject the failing writes instead", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	return dir
}

// On a real file system that fills up during the run, the run fails at
// the first write that does not fit, says so, and leaves an audit log of
// whole records whose chain verifies. Every size from "nothing fits" to
// "everything fits" is tried, so the disk fills at each moment in turn.
func TestRunOnAFullDiskFailsLoudly(t *testing.T) {
	failedMidRun := 0
	for size := 4 << 10; size <= 64<<10; size += 4 << 10 {
		art := mountTmpfs(t, size)
		dir := t.TempDir()
		cfg := filepath.Join(dir, "orchestrate.yaml")
		if err := os.WriteFile(cfg, []byte(minimalConfig), 0o644); err != nil {
			t.Fatal(err)
		}
		f, _, stderr := cmdtest.Factory()
		err := cmdtest.Exec(f, NewCmdRun(f, nil), "--config", cfg, "--only", "report", "--offline", "--artifacts", art, "--run-id", "full")
		code := cmdutil.ExitCode(err)
		runDir := filepath.Join(art, "full")
		if code == 0 {
			// It all fitted: then every piece of evidence must be there.
			sums, _ := filepath.Glob(filepath.Join(art, "summary-*.json"))
			log, _ := os.ReadFile(filepath.Join(runDir, artifact.EventsFile))
			var s *summary.Summary
			if len(sums) == 1 {
				s, _ = summary.Read(sums[0])
			}
			if s == nil || s.Status != summary.Success {
				t.Errorf("size %d: exit 0 without a successful summary (%v)\n%s", size, sums, stderr)
				continue
			}
			if _, err := audit.Verify(bytes.NewReader(log), runDir, s.AuditHead); err != nil {
				t.Errorf("size %d: exit 0 but the evidence does not verify: %v", size, err)
			}
			if _, err := os.Stat(filepath.Join(runDir, "report.md")); err != nil {
				t.Errorf("size %d: exit 0 without report.md: %v", size, err)
			}
			continue
		}
		if _, serr := os.Stat(filepath.Join(runDir, artifact.RunFile)); serr != nil {
			// Full before the run began: refused, nothing to check.
			if code != summary.ExitFailed && code != summary.ExitUsage {
				t.Errorf("size %d: exit %d before the run began", size, code)
			}
			continue
		}
		failedMidRun++
		if code != summary.ExitFailed {
			t.Errorf("size %d: exit %d, want 1 (failed)\n%s", size, code, stderr)
		}
		if !strings.Contains(stderr.String(), "stopping the run, its evidence would be incomplete") && !strings.Contains(stderr.String(), "could not write the summary") {
			t.Errorf("size %d: stderr does not say the evidence failed:\n%s", size, stderr)
		}
		log, rerr := os.ReadFile(filepath.Join(runDir, artifact.EventsFile))
		if rerr != nil {
			t.Fatalf("size %d: %v", size, rerr)
		}
		if len(log) > 0 && !bytes.HasSuffix(log, []byte("\n")) {
			t.Errorf("size %d: events.jsonl ends in half a record: %q", size, log[max(0, len(log)-80):])
		}
		if _, verr := audit.Verify(bytes.NewReader(log), runDir, ""); verr != nil {
			var p *audit.Problem
			if !errors.As(verr, &p) || !strings.Contains(p.Reason, "no such file") {
				t.Errorf("size %d: the log does not verify: %v", size, verr)
			}
		}
		if sums, _ := filepath.Glob(filepath.Join(art, "summary-*.json")); len(sums) == 1 {
			s, err := summary.Read(sums[0])
			if err != nil || s.Status != summary.Failed {
				t.Errorf("size %d: summary %+v, %v; want a failed run", size, s, err)
			}
		}
	}
	if failedMidRun == 0 {
		t.Fatal("no size made the disk fill during the run")
	}
	t.Logf("%d sizes filled the disk during the run", failedMidRun)
}
