package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// State is what the run knows: its settings, and each phase's record and
// Output as they arrive. Only the runner and the steps in pipeline.go
// touch it.
type State struct {
	Config    *config.Config
	Workdir   string
	Run       *artifact.Run
	Offline   bool
	Environ   []string // the process environment, for the compose file's interpolation
	StartedAt time.Time
	Roles     *roles.Router // nil when no phase needs a model
	Cache     *Cache        // the phase cache; nil: every phase runs, nothing is recorded

	Records  []summary.Phase
	Failures []summary.Failure
	Notes    []summary.Failure // found and dealt with, or left for a human: not failures
	Tests    report.Tests

	failed, partial bool
	held            string            // the phase that holds the run for approval
	results         map[string]result // by phase name

	mu       sync.Mutex
	tools    []phase.ToolUse
	calls    []report.Call
	cleanups []cleanup
}

type cleanup struct {
	name string
	fn   func(context.Context) error
}

// Record implements phase.ToolRecorder.
func (s *State) Record(t phase.ToolUse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tools = append(s.tools, t)
}

// AddCall records a model exchange for the report.
func (s *State) AddCall(c report.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// Calls returns the model exchanges recorded so far.
func (s *State) Calls() []report.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]report.Call(nil), s.calls...)
}

// Tools returns the tool invocations recorded so far.
func (s *State) Tools() []phase.ToolUse {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]phase.ToolUse(nil), s.tools...)
}

func (s *State) addCleanup(name string, fn func(context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, cleanup{name, fn})
}

// ReportInput is the run as recorded so far.
func (s *State) ReportInput() report.Input {
	in := report.Input{
		RunID: s.Run.ID, TraceID: s.Run.TraceID, Service: s.Config.Service.Name,
		StartedAt: s.StartedAt, Offline: s.Offline,
		Phases:   append([]summary.Phase(nil), s.Records...),
		Failures: append([]summary.Failure(nil), s.Failures...),
		Notes:    append([]summary.Failure(nil), s.Notes...),
		Tools:    s.Tools(), LLM: s.llmUsage(), Tests: s.Tests,
	}
	in.Calls = s.Calls()
	for _, rec := range in.Phases { // the run's phases, in its order
		r, ok := s.result(rec.Name)
		if !ok {
			continue
		}
		if d, ok := r.out.(phase.Projector); ok {
			in.Details = append(in.Details, s.cacheFact(d.Detail()))
		}
		if t, ok := r.out.(phase.Tested); ok {
			in.Cases = t.Cases()
		}
	}
	return in
}

func (s *State) result(name string) (result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.results[name]
	return r, ok
}

// AddFailure records a failure. A partial failure (the environment, not
// the code) leaves the run "partial" rather than "failed".
func (s *State) AddFailure(f summary.Failure, partial bool) {
	s.Failures = append(s.Failures, f)
	if partial {
		s.partial = true
	} else {
		s.failed = true
	}
}

// Note records what is reported but is no failure and does not change
// the status (remaining lint findings, a flaky test, a remediation).
func (s *State) Note(f summary.Failure) { s.Notes = append(s.Notes, f) }

// addMore records the further failures a failed phase's Output names
// (phase.Failer), after the one its error gave.
func (s *State) addMore(name string) {
	r, ok := s.result(name)
	if !ok {
		return
	}
	if f, ok := r.out.(phase.Failer); ok {
		s.Failures = append(s.Failures, f.MoreFailures()...)
	}
}

// llmUsage is the run's model spend so far, from the router's run meter.
func (s *State) llmUsage() summary.LLM {
	if s.Roles == nil {
		return summary.LLM{}
	}
	u := s.Roles.RunUsage()
	return summary.LLM{Calls: u.Calls, CacheHits: u.CacheHits, PromptTokens: u.PromptTokens,
		CompletionTokens: u.CompletionTokens, CostUSD: float64(int64(u.CostUSD*1e6+0.5)) / 1e6}
}
