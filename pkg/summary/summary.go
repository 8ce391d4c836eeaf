// Package summary is the machine-readable record of one run,
// artifacts/summary-<UTC timestamp>.json, and its JSON Schema.
package summary

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/orchestrate-dev/orchestrate/pkg/notify"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
)

// SchemaVersion is bumped on any change to the shape below. 2.0.0:
// failures holds only what went wrong; what was found and dealt with
// (remediated, flaky, injected, findings left, proposals) is in notes.
// 2.1.0: the mutation score, the review gate. 3.0.0: a phase's own result
// is in its record (phases[].result); 2.x's top-level mutation moves there
// on read.
const SchemaVersion = "3.0.0"

// Schema is the JSON Schema (draft 2020-12) every summary validates against.
//
//go:embed summary.schema.json
var Schema []byte

// Status of a run.
type Status string

// Run statuses.
const (
	Success Status = "success"
	Partial Status = "partial"
	Failed  Status = "failed"
	// NeedsApproval: the review gate stopped the run before deploy; a
	// human approves (orchestrate approve) and the run resumes (--resume).
	NeedsApproval Status = "needs_approval"
)

// Exit codes, the same for every command.
const (
	ExitSuccess = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitPartial = 3
	// ExitNeedsApproval: the review gate holds the change for a human.
	ExitNeedsApproval = 4
	ExitInterrupted   = 130
)

// Summary is one run's outcome.
type Summary struct {
	SchemaVersion    string    `json:"schema_version"`
	RunID            string    `json:"run_id"`
	Status           Status    `json:"status"`
	ExitCode         int       `json:"exit_code"`
	StartedAt        time.Time `json:"started_at"`
	FinishedAt       time.Time `json:"finished_at"`
	TimeTakenSeconds float64   `json:"time_taken_seconds"`
	Offline          bool      `json:"offline"`
	TraceID          string    `json:"trace_id,omitempty"`
	ToolsUsed        []Tool    `json:"tools_used"`
	TestsPassed      int       `json:"tests_passed"`
	TestsFailed      int       `json:"tests_failed"`
	TestsSkipped     int       `json:"tests_skipped"`
	Failures         []Failure `json:"failures"` // what went wrong
	Notes            []Failure `json:"notes"`    // what was found and dealt with, or left for a human; the status does not depend on them
	Recommendations  []string  `json:"recommendations"`
	Phases           []Phase   `json:"phases"`
	LLM              LLM       `json:"llm"`
	ArtifactsDir     string    `json:"artifacts_dir"`
	AuditHead        string    `json:"audit_head,omitempty"`
	// Notifications say what became of each notify channel's message.
	Notifications []notify.Delivery `json:"notifications,omitempty"`
}

// Tool is one tool the run used and what for.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Role    string `json:"role"`
}

// Failure is one thing that went wrong, or, in Notes, one thing found.
type Failure struct {
	Phase   string `json:"phase"`
	Class   string `json:"class"`
	Message string `json:"message"`
	Where   string `json:"where,omitempty"`
}

// Phase is one phase's record.
type Phase struct {
	Name            string  `json:"name"`
	Status          string  `json:"status"` // success | failed | partial | skipped | held
	DurationSeconds float64 `json:"duration_seconds"`
	InputHash       string  `json:"input_hash,omitempty"`
	SkipReason      string  `json:"skip_reason,omitempty"`
	Dir             string  `json:"dir,omitempty"` // relative to the run directory
	// Cache is what the phase cache made of the phase: hit (its recorded
	// Output reused), miss, off (--no-cache) or uncached, and why.
	Cache *PhaseCache `json:"cache,omitempty"`
	// Result is what the phase reports of itself (phase.Resulter: the
	// mutation score), as the summary schema describes it per phase.
	Result json.RawMessage `json:"result,omitempty"`
}

// PhaseCache is what the phase cache made of a phase.
type PhaseCache struct {
	Status  string `json:"status"`             // hit | miss | off | uncached
	FromRun string `json:"from_run,omitempty"` // on a hit: the run whose Output was reused
	Why     string `json:"why"`
}

// LLM totals over the run.
type LLM struct {
	Calls            int     `json:"calls"`
	CacheHits        int     `json:"cache_hits"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
}

// ExitCodeFor maps a status (and whether the run was interrupted) to the
// process exit code.
func ExitCodeFor(s Status, interrupted bool) int {
	switch {
	case interrupted:
		return ExitInterrupted
	case s == Success:
		return ExitSuccess
	case s == Partial:
		return ExitPartial
	case s == NeedsApproval:
		return ExitNeedsApproval
	}
	return ExitFailed
}

// FileName is summary-<UTC timestamp>.json for a run that started at t.
func FileName(t time.Time) string {
	return "summary-" + t.UTC().Format("20060102T150405Z") + ".json"
}

// Write stores s under dir without replacing another run's summary: two
// runs that start in the same second get the run id appended.
func Write(dir string, s *Summary) (string, error) {
	if s.Notes == nil {
		s.Notes = []Failure{}
	}
	if s.Recommendations == nil {
		s.Recommendations = []string{}
	}
	b, err := artifact.MarshalJSON(s)
	if err != nil {
		return "", fmt.Errorf("summary: encode: %w", err)
	}
	p := filepath.Join(dir, FileName(s.StartedAt))
	err = artifact.CreateAtomic(p, b, 0o644)
	if errors.Is(err, artifact.ErrExist) {
		p = filepath.Join(dir, strings.TrimSuffix(FileName(s.StartedAt), ".json")+"-"+s.RunID+".json")
		err = artifact.WriteAtomic(p, b, 0o644)
	}
	if err != nil {
		return "", fmt.Errorf("summary: %w", err)
	}
	return p, nil
}

// Entry is a summary found on disk.
type Entry struct {
	Path    string
	Summary Summary
}

// List reads every summary under dir, newest first. Unreadable files are
// returned as errors alongside what could be read.
func List(dir string) ([]Entry, []error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "summary-*.json"))
	var out []Entry
	var errs []error
	for _, p := range paths {
		s, err := Read(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Entry{Path: p, Summary: *s})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Summary, out[j].Summary
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.After(b.StartedAt)
		}
		return a.RunID > b.RunID
	})
	return out, errs
}

// Read loads one summary.
func Read(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("summary %s: %w", path, err)
	}
	upgrade(&s)
	upgrade2(&s, b)
	return &s, nil
}

// upgrade2 reads a summary of schema 2.x, whose mutation score was a
// top-level "mutation", as the current schema: the mutation phase's
// record carries it.
func upgrade2(s *Summary, raw []byte) {
	var v2 struct {
		Mutation json.RawMessage `json:"mutation"`
	}
	if !strings.HasPrefix(s.SchemaVersion, "2.") || json.Unmarshal(raw, &v2) != nil || len(v2.Mutation) == 0 {
		return
	}
	for i := range s.Phases {
		if s.Phases[i].Name == "mutation" && len(s.Phases[i].Result) == 0 {
			s.Phases[i].Result = v2.Mutation
		}
	}
}

// upgrade reads a summary of schema 1.x, whose failures also held what
// the run only noted, as the current schema: those move to notes.
func upgrade(s *Summary) {
	if !strings.HasPrefix(s.SchemaVersion, "1.") {
		return
	}
	var failures, notes []Failure
	for _, f := range s.Failures {
		if s.Status == Success || noteV1(f) {
			notes = append(notes, f)
		} else {
			failures = append(failures, f)
		}
	}
	s.Failures, s.Notes = failures, append(s.Notes, notes...)
}

// noteV1 tells a 1.x note from a failure by what the notes said.
func noteV1(f Failure) bool {
	switch f.Class {
	case "flaky", "lint_findings":
		return true
	}
	for _, p := range []string{"injected fault ", "remediated in iteration", "a human must decide", "phases.test.max_questions", "cleanup "} {
		if strings.HasPrefix(f.Message, p) {
			return true
		}
	}
	return false
}

// Find returns the summary of run id under dir.
func Find(dir, id string) (*Entry, error) {
	entries, _ := List(dir)
	for _, e := range entries {
		if e.Summary.RunID == id {
			return &e, nil
		}
	}
	return nil, fmt.Errorf("no summary for run %q in %s (see `orchestrate runs`)", id, dir)
}
