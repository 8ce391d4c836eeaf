package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// ReferenceRun is the run id of the committed reference run under
// artifacts/ (recorded with `orchestrate run --offline --run-id reference`
// in a workdir holding only orchestrate.yaml and the replay cache).
const ReferenceRun = "reference"

// TestCommittedReferenceRun checks the committed reference run against the
// repository, without Docker: it succeeded through every phase with every
// test passing; its audit log verifies (no file of it was changed after
// the run); every model answer it used is in the committed replay cache
// under the same key; and the files it generated are the ones committed in
// service/ and tests/.
func TestCommittedReferenceRun(t *testing.T) {
	root := filepath.Join(repoRoot(t), "artifacts")
	e, err := summary.Find(root, ReferenceRun)
	if err != nil {
		t.Fatal(err)
	}
	s := e.Summary
	if s.Status != summary.Success || s.ExitCode != 0 || s.TestsFailed != 0 || s.TestsPassed == 0 || !s.Offline {
		t.Errorf("reference summary: status %s exit %d, tests %d passed %d failed, offline %v", s.Status, s.ExitCode, s.TestsPassed, s.TestsFailed, s.Offline)
	}
	var names []string
	for _, p := range s.Phases {
		names = append(names, p.Name)
		// The reference is recorded in a workdir holding only the spec and
		// the cache: no previous version, so nothing for the review to diff.
		skippedReview := p.Name == "review" && p.Status == "skipped" && strings.Contains(p.SkipReason, "git repository")
		if p.Status != "success" && !skippedReview {
			t.Errorf("reference phase %s: %s %s", p.Name, p.Status, p.SkipReason)
		}
	}
	if got, want := strings.Join(names, ","), strings.Join(pipeline.Names(), ","); got != want {
		t.Errorf("reference phases: %s; the pipeline is %s (record the reference run again: ci/reference.sh)", got, want)
	}
	dir := filepath.Join(root, ReferenceRun)
	f, err := os.Open(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := audit.Verify(f, dir, s.AuditHead); err != nil {
		t.Errorf("the reference run's audit log does not verify: %v", err)
	}
	for _, name := range []string{"report.md", "report.html", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	metas, _ := filepath.Glob(filepath.Join(dir, "*", "llm", "*.meta.json"))
	if len(metas) != s.LLM.Calls || len(metas) == 0 {
		t.Errorf("%d exchanges kept, the summary counts %d calls", len(metas), s.LLM.Calls)
	}
	for _, m := range metas {
		var x struct {
			Prompt   string `json:"prompt"`
			CacheKey string `json:"cache_key"`
			CacheHit bool   `json:"cache_hit"`
		}
		b, _ := os.ReadFile(m)
		if err := json.Unmarshal(b, &x); err != nil {
			t.Fatal(err)
		}
		entry := filepath.Join(root, "llm-cache", x.Prompt, x.CacheKey+".json")
		if _, err := os.Stat(entry); err != nil || !x.CacheHit {
			t.Errorf("%s: answer %s/%s not in the committed cache (hit %v): re-record the reference run", m, x.Prompt, x.CacheKey, x.CacheHit)
		}
	}
	for _, out := range []string{"01-scaffold/output.json", "02-testgen/output.json", "07-mutation/output.json"} {
		files, err := generatedFiles(filepath.Join(dir, out))
		if err != nil {
			t.Fatal(err)
		}
		for path, sum := range files {
			b, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(path)))
			if err != nil {
				t.Error(err)
				continue
			}
			if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
				t.Errorf("%s differs from what the reference run generated (%s): re-run it or record the change in FIXES.md", path, out)
			}
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

// generatedFiles reads the files a scaffold or testgen output.json lists:
// path (relative to the workdir) to sha256.
func generatedFiles(outputJSON string) (map[string]string, error) {
	b, err := os.ReadFile(outputJSON)
	if err != nil {
		return nil, err
	}
	type file struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
	}
	var o struct {
		Files      []file `json:"files"`
		Acceptance struct {
			Files []file `json:"files"`
		} `json:"acceptance"`
		Unit struct {
			Files []file `json:"files"`
		} `json:"unit"`
		Guided struct {
			Files []file `json:"files"`
		} `json:"guided"` // the mutation phase's tests
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", outputJSON, err)
	}
	m := map[string]string{}
	for _, f := range append(append(append(o.Files, o.Acceptance.Files...), o.Unit.Files...), o.Guided.Files...) {
		m[f.Path] = f.SHA256
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s lists no files", outputJSON)
	}
	return m, nil
}

// sameresults REF-ARTIFACTS REF-ID NEW-ARTIFACTS NEW-ID: the new run has
// the reference run's results: status, exit code, test counts, phases and
// their statuses, the same model exchanges (same cache keys, byte-equal
// prompts) and the same generated files.
func cmdSameResults(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || neg {
		ts.Fatalf("usage: sameresults REF-ARTIFACTS REF-ID NEW-ARTIFACTS NEW-ID")
	}
	refRoot, newRoot := ts.MkAbs(args[0]), ts.MkAbs(args[2])
	diffs, err := compareRuns(refRoot, args[1], newRoot, args[3])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	if len(diffs) > 0 {
		ts.Fatalf("the run's results differ from the reference:\n%s", strings.Join(diffs, "\n"))
	}
}

func compareRuns(refRoot, refID, newRoot, newID string) ([]string, error) {
	ref, err := summary.Find(refRoot, refID)
	if err != nil {
		return nil, err
	}
	got, err := summary.Find(newRoot, newID)
	if err != nil {
		return nil, err
	}
	var diffs []string
	differ := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			diffs = append(diffs, fmt.Sprintf("%s: reference %v, this run %v", what, a, b))
		}
	}
	r, g := ref.Summary, got.Summary
	differ("status", r.Status, g.Status)
	differ("exit code", r.ExitCode, g.ExitCode)
	differ("tests passed/failed/skipped", []int{r.TestsPassed, r.TestsFailed, r.TestsSkipped}, []int{g.TestsPassed, g.TestsFailed, g.TestsSkipped})
	differ("failures", len(r.Failures), len(g.Failures))
	differ("llm calls/cache hits", []int{r.LLM.Calls, r.LLM.CacheHits}, []int{g.LLM.Calls, g.LLM.CacheHits})
	phases := func(s summary.Summary) string {
		var p []string
		for _, x := range s.Phases {
			p = append(p, x.Name+"="+x.Status)
		}
		return strings.Join(p, " ")
	}
	differ("phases", phases(r), phases(g))

	refDir, newDir := filepath.Join(refRoot, refID), filepath.Join(newRoot, newID)
	metas, _ := filepath.Glob(filepath.Join(refDir, "*", "llm", "*.meta.json"))
	sort.Strings(metas)
	for _, m := range metas {
		rel, _ := filepath.Rel(refDir, m)
		a, b := cacheKey(m), cacheKey(filepath.Join(newDir, rel))
		differ(rel+" cache key", a, b)
		prompt := strings.TrimSuffix(rel, ".meta.json") + ".prompt.md"
		pa, _ := os.ReadFile(filepath.Join(refDir, prompt))
		pb, _ := os.ReadFile(filepath.Join(newDir, prompt))
		if len(pa) == 0 || !bytes.Equal(pa, pb) {
			diffs = append(diffs, prompt+": the prompt differs from the reference's")
		}
	}
	for _, out := range []string{"01-scaffold/output.json", "02-testgen/output.json", "07-mutation/output.json"} {
		a, err := filesOf(filepath.Join(refDir, out))
		if err != nil {
			return nil, err
		}
		b, err := filesOf(filepath.Join(newDir, out))
		if err != nil {
			return nil, err
		}
		differ(out+" generated files", a, b)
	}
	return diffs, nil
}

func cacheKey(meta string) string {
	b, err := os.ReadFile(meta)
	if err != nil {
		return "missing"
	}
	var x struct {
		CacheKey string `json:"cache_key"`
	}
	_ = json.Unmarshal(b, &x)
	return x.CacheKey
}

// filesOf is the sorted "path sha256" list of an output.json's files.
func filesOf(outputJSON string) ([]string, error) {
	m, err := generatedFiles(outputJSON)
	if err != nil {
		return nil, err
	}
	var out []string
	for p, s := range m {
		out = append(out, p+" "+s)
	}
	sort.Strings(out)
	return out, nil
}
