package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func write(t *testing.T, dir, id string, st summary.Status, fails ...summary.Failure) {
	t.Helper()
	s := &summary.Summary{SchemaVersion: summary.SchemaVersion, RunID: id, Status: st, StartedAt: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		TestsPassed: 3, Failures: fails, LLM: summary.LLM{Calls: 2, CacheHits: 1, CostUSD: 0.01}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := summary.Write(dir, s); err != nil {
		t.Fatal(err)
	}
}

// The merged status is the worst run's; each run is named by its
// directory when it has no run.json; a summary given twice counts once.
func TestMerge(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "quote"), "a", summary.Success)
	write(t, filepath.Join(root, "credits"), "b", summary.Failed, summary.Failure{Phase: "test", Class: "assertion_failure", Message: "TestX: got 1,\nwant 2", Where: "service/x.go:3"})
	write(t, filepath.Join(root, "notify"), "c", summary.Partial)
	paths := []string{filepath.Join(root, "quote"), filepath.Join(root, "credits"), filepath.Join(root, "notify")}
	again, _ := filepath.Glob(filepath.Join(root, "quote", "summary-*.json"))
	r, err := Read(append(paths, again...), filepath.Join(root, "merged"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != summary.Failed || r.ExitCode != 1 || r.Totals.Runs != 3 || r.Totals.Failed != 1 || r.Totals.Partial != 1 || r.Totals.Calls != 6 {
		t.Errorf("got %+v", r)
	}
	md := Markdown(r)
	for _, want := range []string{"**Outcome:** FAILED: 1 succeeded, 1 partial, 1 failed", "| credits | `b` | failed |", "### credits (`b`)",
		"- **assertion_failure** in test: TestX: got 1, want 2 (at `service/x.go:3`)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	page, err := HTML(r)
	if err != nil || !strings.Contains(string(page), `<span class="badge s-failed">failed</span>`) {
		t.Errorf("report.html: %v\n%s", err, page)
	}
	if _, err := Read([]string{filepath.Join(root, "none")}, root); err == nil {
		t.Error("a missing path was accepted")
	}
}
