// Package merge puts the summaries of several runs (one per service, one
// per job of a CI matrix) into one report: a line per run, their
// failures, the totals, and the worst status.
package merge

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Run is one run of the merged report.
type Run struct {
	Service string          `json:"service"` // from the run's run.json, else the directory the summary was in
	Summary summary.Summary `json:"summary"`
	Path    string          `json:"path"`             // the summary, relative to the output directory
	Report  string          `json:"report,omitempty"` // the run's report.html, relative to the output directory, when it is there
}

// Report is the merged report's data.
type Report struct {
	Status   summary.Status `json:"status"`
	ExitCode int            `json:"exit_code"`
	Runs     []Run          `json:"runs"`
	Totals   Totals         `json:"totals"`
}

// Totals add up the runs.
type Totals struct {
	Runs, Succeeded, Partial, Failed int
	TestsPassed, TestsFailed         int
	Failures, Notes                  int
	Calls, CacheHits                 int
	CostUSD                          float64
}

// Read loads the summaries at paths (files, or directories whose
// summary-*.json are all taken) for a report written to out. Two
// summaries of the same run are one run.
func Read(paths []string, out string) (*Report, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(p, "summary-*.json"))
		if len(found) == 0 {
			return nil, fmt.Errorf("merge: no summary-*.json in %s", p)
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("merge: no summaries given")
	}
	r := &Report{}
	seen := map[string]bool{}
	for _, f := range files {
		s, err := summary.Read(f)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(f)
		key := dir + "\x00" + s.RunID
		if seen[key] {
			continue
		}
		seen[key] = true
		run := Run{Service: service(dir, s.RunID), Summary: *s, Path: rel(out, f)}
		if page := filepath.Join(dir, s.RunID, "report.html"); exists(page) {
			run.Report = rel(out, page)
		}
		r.Runs = append(r.Runs, run)
	}
	sort.SliceStable(r.Runs, func(i, j int) bool {
		if r.Runs[i].Service != r.Runs[j].Service {
			return r.Runs[i].Service < r.Runs[j].Service
		}
		return r.Runs[i].Summary.StartedAt.Before(r.Runs[j].Summary.StartedAt)
	})
	r.total()
	return r, nil
}

// total adds up the runs; the status is the worst run's: failed, then
// partial, then success.
func (r *Report) total() {
	t := &r.Totals
	r.Status = summary.Success
	for _, run := range r.Runs {
		s := run.Summary
		t.Runs++
		switch s.Status {
		case summary.Success:
			t.Succeeded++
		case summary.Partial:
			t.Partial++
			if r.Status == summary.Success {
				r.Status = summary.Partial
			}
		default:
			t.Failed++
			r.Status = summary.Failed
		}
		t.TestsPassed += s.TestsPassed
		t.TestsFailed += s.TestsFailed
		t.Failures += len(s.Failures)
		t.Notes += len(s.Notes)
		t.Calls += s.LLM.Calls
		t.CacheHits += s.LLM.CacheHits
		t.CostUSD += s.LLM.CostUSD
	}
	r.ExitCode = summary.ExitCodeFor(r.Status, false)
}

// service names a run: the service of its run.json, else the name of
// the directory its summary is in (a job's artifact).
func service(dir, runID string) string {
	var rj struct {
		Config struct {
			Service struct {
				Name string `json:"name"`
			} `json:"service"`
		} `json:"config"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, runID, "run.json")); err == nil && json.Unmarshal(b, &rj) == nil && rj.Config.Service.Name != "" {
		return rj.Config.Service.Name
	}
	return filepath.Base(dir)
}

func rel(base, p string) string {
	ab, err1 := filepath.Abs(base)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(p)
	}
	r, err := filepath.Rel(ab, ap)
	if err != nil {
		return filepath.ToSlash(ap)
	}
	return filepath.ToSlash(r)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
