// Package pipeline runs the phases in order. The order lives here, in one
// list; the runner wraps every phase in the same middleware: selection,
// timing, a trace span, audit events, input hashing, input.json and
// output.json, panic recovery, cancellation.
package pipeline

import (
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
)

// Phases is the pipeline, top to bottom. Each entry builds the phase's
// Input from the state (earlier phases' Outputs), runs it, and keeps its
// Output in the state.
func Phases() []Phase {
	return []Phase{
		// Render report.md and the recommendations from everything recorded.
		Step(phase.Report, buildReport, report.Run, func(s *State, o report.Output) { s.Report = &o }).Always(),
	}
}

func buildReport(s *State) (report.Input, error) {
	return s.ReportInput(), nil
}
