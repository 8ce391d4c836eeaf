// Package phase is the contract between the runner and every phase: the
// environment a phase runs in besides its typed Input, and the typed skip.
package phase

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// Names of the phases. Their order lives in one place, pkg/pipeline.Phases.
const (
	Scaffold = "scaffold"
	Testgen  = "testgen"
	Lint     = "lint"
	Deploy   = "deploy"
	Test     = "test"
	Report   = "report"
)

// Env is what the runner hands a phase besides its Input.
type Env struct {
	Art   *artifact.Sub    // the phase's folder, <NN>-<phase>/ in the run
	Top   *artifact.Sub    // the run directory itself, for report.md and the like
	Log   io.Writer        // the phase's log, kept at <NN>-<phase>/logs/phase.log
	Now   func() time.Time //
	Tools ToolRecorder     // tool invocations, for tool-usage-log.md and tools_used
	// LLM asks the models through roles; every exchange is kept under
	// <NN>-<phase>/llm/ and charged to the phase's and the run's budgets.
	LLM *llm.Session
	// Cleanup registers work the runner does at the end of the run, in
	// reverse order, with a fresh context, whatever happened (Ctrl-C too).
	Cleanup func(name string, fn func(context.Context) error)
	// Notice tells the user something now (how to reach a kept service);
	// it may be nil.
	Notice func(format string, args ...any)
}

// ToolUse is one invocation of a tool.
type ToolUse struct {
	Time    time.Time `json:"time"`
	Phase   string    `json:"phase"`
	Tool    string    `json:"tool"`
	Version string    `json:"version"`
	Role    string    `json:"role"`             // what it did in the run
	Prompt  string    `json:"prompt,omitempty"` // path of the prompt, relative to the run directory
	Why     string    `json:"why"`              // why this tool at this stage
}

// ToolRecorder collects tool invocations.
type ToolRecorder interface {
	Record(ToolUse)
}

// SkipError is a phase deciding not to run, with the reason. The runner
// records and shows it; it is never a silent success.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a SkipError.
func Skip(reason string) error { return &SkipError{Reason: reason} }

// IsSkip reports whether err is a skip, and its reason.
func IsSkip(err error) (string, bool) {
	var s *SkipError
	if errors.As(err, &s) {
		return s.Reason, true
	}
	return "", false
}

// Service is a deployment, as a later phase sees it: where to reach it,
// how to replace it after the code changed, and whether it runs at all.
// The deploy phase offers it through the pipeline's state; no phase
// imports another. When the deploy phase's Output was reused from an
// earlier run, no container of this run runs: Running says so, Endpoint
// is "", and a phase that needs the service brings it up with Start
// first, so nothing is ever tested at an address nobody answers.
type Service interface {
	// Endpoint is where the service answers, from the host; "" when it
	// does not run.
	Endpoint() string
	// Running says whether the service runs now.
	Running() bool
	// Start deploys a service that does not run (the image, the
	// containers, the health gate, the cleanup at the end of the run) and
	// returns it running; a running one returns itself.
	Start(ctx context.Context, env Env) (Service, error)
	// Redeploy rebuilds and replaces the service after the code changed.
	Redeploy(ctx context.Context, env Env) (Service, error)
}

// Setup is what a phase's Input is built from: the run's settings and the
// Outputs of the phases before it that succeeded. Each phase package builds
// its own Input from it (Configure), so adding a phase is its package and
// one line in the pipeline's list.
type Setup struct {
	Config  *config.Config
	Workdir string
	RunID   string
	Environ []string // the process environment, for the compose file's interpolation
	// Done is an earlier phase's Output when it ran and succeeded; a
	// failed phase's Output is evidence for the report, never an input.
	Done func(name string) (any, bool)
}
