package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// ToolUsageLog is appended to by every run, at the top of artifacts/.
const ToolUsageLog = "tool-usage-log.md"

// Outcome is the end of a run.
type Outcome struct {
	Summary     *summary.Summary
	SummaryPath string
	Interrupted bool
}

// Finish ends the run whatever happened: it runs the cleanups, decides the
// status, appends to the tool-usage log, closes the audit log and writes
// the summary. ctx should not be the run's (it may be cancelled).
func Finish(ctx context.Context, s *State, runCtx context.Context, now func() time.Time, self phase.ToolUse) (*Outcome, error) {
	why := Why(runCtx)
	interrupted := why == ErrInterrupted
	if interrupted && !hasClass(s, failure.Interrupted) {
		s.AddFailure(summary.Failure{Phase: lastPhase(s), Class: string(failure.Interrupted), Message: "the run was interrupted by a signal"}, false)
	}
	if why == ErrRunTimeout && !hasClass(s, failure.Timeout) {
		s.AddFailure(summary.Failure{Phase: lastPhase(s), Class: string(failure.Timeout), Message: "the run's time limit was reached"}, false)
	}
	s.runCleanups(ctx)

	status := summary.Success
	switch {
	case s.failed || interrupted:
		status = summary.Failed
	case s.held != "":
		status = summary.NeedsApproval
	case s.partial:
		status = summary.Partial
	}
	sum := s.summary(status, interrupted, now(), self)
	sum.Notifications = s.notifyChannels(ctx, sum, now)
	if err := appendToolLog(s.Run.Root, s, self, s.Tools()); err != nil {
		_ = s.Run.Event("", "", "warning", map[string]any{"message": err.Error()})
	}
	_ = s.Run.Event("", "", "run.end", runEnd(sum))
	closeErr := s.Run.Close()
	sum.AuditHead = s.Run.Head()
	p, err := summary.Write(s.Run.Root, sum)
	if err != nil {
		return &Outcome{Summary: sum, Interrupted: interrupted}, err
	}
	if closeErr != nil {
		return &Outcome{Summary: sum, SummaryPath: p, Interrupted: interrupted}, fmt.Errorf("close audit log: %w", closeErr)
	}
	return &Outcome{Summary: sum, SummaryPath: p, Interrupted: interrupted}, nil
}

// runCleanups runs what the phases registered, last first, each with a
// minute of its own; a failed cleanup is noted.
func (s *State) runCleanups(ctx context.Context) {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		c := s.cleanups[i]
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := c.fn(cctx)
		cancel()
		ev := map[string]any{"name": c.name}
		if err != nil {
			ev["error"] = err.Error()
			s.Note(summary.Failure{Phase: "cleanup", Class: string(failure.Unknown), Message: fmt.Sprintf("cleanup %s: %v", c.name, err)})
		}
		_ = s.Run.Event("", "", "cleanup", ev)
	}

}

// summary is the run's summary but for the audit head.
func (s *State) summary(status summary.Status, interrupted bool, finished time.Time, self phase.ToolUse) *summary.Summary {
	recs := []string(nil)
	if o, _, ok := Ran[report.Output](s, phase.Report); ok {
		recs = o.Recommendations
	}
	if recs == nil {
		recs = report.Recommend(s.ReportInput())
	}
	sum := &summary.Summary{
		SchemaVersion: summary.SchemaVersion, RunID: s.Run.ID, Status: status,
		ExitCode:  summary.ExitCodeFor(status, interrupted),
		StartedAt: s.StartedAt.UTC(), FinishedAt: finished.UTC(),
		TimeTakenSeconds: round(finished.Sub(s.StartedAt).Seconds()),
		Offline:          s.Offline, TraceID: s.Run.TraceID,
		ToolsUsed:   toolsUsed(self, s.Tools()),
		TestsPassed: s.Tests.Passed, TestsFailed: s.Tests.Failed, TestsSkipped: s.Tests.Skipped,
		Failures:        nonNil(s.Failures),
		Notes:           nonNil(s.Notes),
		Recommendations: recs,
		Phases:          nonNil(s.Records),
		LLM:             s.llmUsage(),
		ArtifactsDir:    s.Run.Dir,
	}
	for i, rec := range sum.Phases {
		if r, ok := s.result(rec.Name); ok {
			if o, ok := r.out.(phase.Resulter); ok {
				if b, err := json.Marshal(o.SummaryResult()); err == nil {
					sum.Phases[i].Result = b
				}
			}
		}
	}
	return sum
}

func hasClass(s *State, c failure.Class) bool {
	for _, f := range s.Failures {
		if f.Class == string(c) {
			return true
		}
	}
	return false
}

func lastPhase(s *State) string {
	for i := len(s.Records) - 1; i >= 0; i-- {
		if s.Records[i].Status != "skipped" {
			return s.Records[i].Name
		}
	}
	return "run"
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func toolsUsed(self phase.ToolUse, uses []phase.ToolUse) []summary.Tool {
	seen := map[summary.Tool]bool{}
	out := []summary.Tool{{Name: self.Tool, Version: self.Version, Role: self.Role}}
	seen[out[0]] = true
	for _, u := range uses {
		t := summary.Tool{Name: u.Tool, Version: u.Version, Role: u.Role}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Name < out[1+j].Name })
	return out
}

// toolLogHead opens a tool-usage log.
const toolLogHead = "# Tool usage log\n\nOne section per `orchestrate run`: every tool invocation with its time, version, the prompt it was given (relative to the run's directory) and why that tool was used at that stage.\n"

// appendToolLog writes this run's tool invocations into the run directory
// (tool-usage-log.md, in the audit chain) and adds them to the local
// artifacts/tool-usage-log.md in one write, so two runs appending at once
// do not interleave lines. The local log is no file git tracks: a run
// leaves a checkout as it found it.
func appendToolLog(root string, s *State, self phase.ToolUse, uses []phase.ToolUse) error {
	section := toolLogSection(s, self, uses)
	if _, err := s.Run.Sub(".", "", "").Write(ToolUsageLog, []byte(toolLogHead+section)); err != nil {
		return fmt.Errorf("tool-usage log: %w", err)
	}
	p := filepath.Join(root, ToolUsageLog)
	var b strings.Builder
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		b.WriteString(toolLogHead)
	}
	b.WriteString(section)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("tool-usage log: %w", err)
	}
	_, err = f.WriteString(s.Run.Redactor().String(b.String()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// toolLogSection is one run's section of the tool-usage log.
func toolLogSection(s *State, self phase.ToolUse, uses []phase.ToolUse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Run %s (%s)\n\n| time (UTC) | phase | tool | version | prompt | why |\n| --- | --- | --- | --- | --- | --- |\n", s.Run.ID, s.StartedAt.UTC().Format(time.RFC3339))
	row := func(u phase.ToolUse, n int) {
		prompt := "—"
		if u.Prompt != "" {
			prompt = "`" + s.Run.ID + "/" + u.Prompt + "`"
		}
		tool := u.Tool
		if n > 1 {
			tool += fmt.Sprintf(" (×%d)", n)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", u.Time.UTC().Format("15:04:05"), u.Phase, tool, u.Version, prompt, strings.ReplaceAll(u.Why, "|", "\\|"))
	}
	row(self, 1)
	folded, counts := dedupe(uses)
	for i, u := range folded {
		row(u, counts[i])
	}
	return b.String()
}

func rel(s *State, abs string) string {
	r, err := filepath.Rel(s.Run.Dir, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(r)
}
