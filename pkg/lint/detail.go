package lint

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Detail is what the phase did, for the report.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: phase.Lint}
	d.Facts = append(d.Facts, fmt.Sprintf("%d analyzer(s) plus goimports and gofmt; findings %d before, %d after; %d fix(es) kept, %d not kept",
		len(o.Analyzers), o.Before.Findings, o.After.Findings, len(o.Fixes), len(o.Rejected)))
	for _, m := range o.Modules {
		ok := "builds and its tests compile"
		if !m.Build.OK {
			ok = "does not build: see " + m.Build.Log
		}
		d.Facts = append(d.Facts, fmt.Sprintf("`%s`: %d finding(s) before, %d after; %s", m.Dir, m.Before.Findings, m.After.Findings, ok))
	}
	if o.Evidence.FindingsAfter != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("findings: %s, %s", o.Evidence.FindingsBefore, o.Evidence.FindingsAfter))
	}
	if o.ModelErr != "" {
		d.Facts = append(d.Facts, "the fixer role failed: "+o.ModelErr)
	}
	d.AI = modelFixes(o)
	for _, f := range append(append([]Fix(nil), o.Fixes...), o.Rejected...) {
		why := f.Safe
		if f.Status != Applied {
			why = f.Reason
		}
		if why == "" {
			why = "fixes " + f.Finding.String()
		} else {
			why = "fixes " + f.Finding.String() + ": " + why
		}
		d.Changes = append(d.Changes, phase.Change{Title: fmt.Sprintf("%s (%s) on %s", f.Fixer, f.Kind, strings.Join(f.Files, ", ")),
			Status: f.Status, Reason: why, Patch: f.Patch})
	}
	return d
}

// Notes are what is left, for the summary: remaining findings do not
// change the run's status (phases.lint.fail_on does, through the phase's
// error), a failed fixer role is noted.
func (o Output) Notes() []summary.Failure {
	var out []summary.Failure
	if len(o.FailedOn) > 0 {
		return nil
	}
	const most = 10
	for i, f := range o.Remaining {
		if i == most {
			out = append(out, summary.Failure{Phase: phase.Lint, Class: string(failure.LintFindings),
				Message: fmt.Sprintf("%d more lint finding(s)", len(o.Remaining)-most), Where: o.Evidence.FindingsAfter})
			break
		}
		out = append(out, summary.Failure{Phase: phase.Lint, Class: string(failure.LintFindings),
			Message: fmt.Sprintf("%s: %s", f.Analyzer, f.Message), Where: fmt.Sprintf("%s:%d", f.File, f.Line)})
	}
	if o.ModelErr != "" {
		out = append(out, summary.Failure{Phase: phase.Lint, Class: string(failure.LLMError),
			Message: "the fixer role failed, findings were left unfixed: " + o.ModelErr})
	}
	return out
}

// modelFixes says what the fixer role's fixes became; empty when it
// proposed none.
func modelFixes(o Output) string {
	kept, not := 0, 0
	for _, f := range o.Fixes {
		if f.Kind == "model" {
			kept++
		}
	}
	for _, f := range o.Rejected {
		if f.Kind == "model" {
			not++
		}
	}
	if kept+not == 0 {
		return ""
	}
	return fmt.Sprintf("the fixer role proposed %d fix(es): %d kept, %d not kept", kept+not, kept, not)
}
