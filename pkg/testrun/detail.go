package testrun

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Detail is what the phase did, for the report.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: phase.Test}
	d.Facts = append(d.Facts, fmt.Sprintf("%d iteration(s); stopped: %s (%s); final %d passed, %d failed, %d skipped",
		len(o.Iterations), o.Stop, o.StopDetail, o.Final.Passed, o.Final.Failed, o.Final.Skipped))
	if in := o.Inject; in != nil {
		d.Facts = append(d.Facts, fmt.Sprintf("planted fault %s (--inject, seed %d) at %s: %s; expected class %s, the classifier found %s; workdir restored at the end: %v",
			in.Fault, in.Seed, orDash(in.Site), in.What, in.Expected, orDash(strings.Join(in.Found, ", ")), in.Restored))
		d.Changes = append(d.Changes, phase.Change{Title: "injected fault " + in.Fault, Status: "planted", Reason: in.What, Patch: in.Patch})
	}
	if len(o.QuestionCapHit) > 0 {
		d.Facts = append(d.Facts, fmt.Sprintf("clusters were left unasked in iteration(s) %v: phases.test.max_questions was reached", o.QuestionCapHit))
	}
	for _, f := range o.Flaky {
		d.Facts = append(d.Facts, fmt.Sprintf("flaky: %s failed, then passed alone (re-run log %s); reported, not edited", f.Test, f.Rerun))
	}
	for _, it := range o.Iterations {
		ri := phase.Iteration{N: it.N, Verdict: it.Verdict, Suites: []phase.SuiteResult{suite("unit", it.Unit), suite("e2e", it.E2E)}}
		for _, f := range it.Failures {
			ri.Failures = append(ri.Failures, phase.FailureDetail{Test: f.Test, Class: string(f.Class), Where: f.Where(), Message: f.Message, Evidence: f.Evidence})
		}
		d.Iterations = append(d.Iterations, ri)
	}
	d.AI = remediations(o.Remediations)
	if o.Stop == StopModel || o.Stop == StopBudget {
		d.AI = strings.TrimPrefix(d.AI+"; ", "; ") + "the loop stopped without the triage role's answer: " + reason(triage.Failure{Message: o.StopDetail})
	}
	for _, r := range o.Remediations {
		why := r.RootCause
		if r.Reason != "" {
			why += " — " + r.Reason
		}
		title := fmt.Sprintf("iteration %d, %s fix by %s for %s", r.Iteration, r.Kind, r.Fixer, r.Failure.Where())
		if len(r.Targets) > 1 {
			title += fmt.Sprintf(" and %d more (%s)", len(r.Targets)-1, r.Cluster)
		}
		if r.Confidence > 0 {
			title += fmt.Sprintf(" (confidence %.2f)", r.Confidence)
		}
		d.Changes = append(d.Changes, phase.Change{Title: title, Status: r.Status, Reason: strings.TrimPrefix(why, " — "), Patch: r.Patch})
	}
	return d
}

func suite(name string, s Suite) phase.SuiteResult {
	return phase.SuiteResult{Name: name, Ran: s.Ran, Why: s.Why, Passed: s.Counts.Passed, Failed: s.Counts.Failed, Skipped: s.Counts.Skipped, Log: s.Log}
}

// Notes say in the summary what was found and done: flakes, remediated
// failures, proposals for a human and the question cap. Failures left
// fail the run (the first through the phase's error, the others through
// MoreFailures).
func (o Output) Notes() []summary.Failure {
	var out []summary.Failure
	if in := o.Inject; in != nil {
		out = append(out, summary.Failure{Phase: phase.Test, Class: in.Expected,
			Message: fmt.Sprintf("injected fault %s at %s: %s (--inject, seed %d); expected class %s, found %s", in.Fault, orDash(in.Site), in.What, in.Seed, in.Expected, orDash(strings.Join(in.Found, ", "))), Where: in.Patch})
	}
	for _, r := range o.Remediations {
		switch r.Status {
		case Applied:
			out = append(out, summary.Failure{Phase: phase.Test, Class: string(r.Failure.Class),
				Message: fmt.Sprintf("remediated in iteration %d by %s: %s", r.Iteration, r.Fixer, r.RootCause), Where: r.Patch})
		case Refused, Proposal:
			out = append(out, summary.Failure{Phase: phase.Test, Class: string(r.Failure.Class),
				Message: fmt.Sprintf("a human must decide: %s (%s)", r.Reason, r.Failure.Message), Where: r.Patch})
		}
	}
	if len(o.QuestionCapHit) > 0 {
		out = append(out, summary.Failure{Phase: phase.Test, Class: string(failure.Unknown),
			Message: fmt.Sprintf("phases.test.max_questions (%d) was reached in iteration(s) %v: some failures were not put to the triage role", o.QuestionCap, o.QuestionCapHit)})
	}
	for _, f := range o.Flaky {
		out = append(out, summary.Failure{Phase: phase.Test, Class: string(failure.Flaky),
			Message: fmt.Sprintf("%s failed, then passed when re-run alone: flaky, reported and not edited", f.Test), Where: f.Rerun})
	}
	return out
}

// MoreFailures are the failures left but the first, which the phase's
// error names.
func (o Output) MoreFailures() []summary.Failure {
	var out []summary.Failure
	for i, f := range o.Remaining {
		if i > 0 {
			out = append(out, summary.Failure{Phase: phase.Test, Class: string(f.Class), Message: reason(f), Where: f.Where()})
		}
	}
	return out
}

// TestCounts are the final counts, a flaky test counted as its re-run.
func (o Output) TestCounts() phase.Tests {
	return phase.Tests{Passed: o.Final.Passed, Failed: o.Final.Failed, Skipped: o.Final.Skipped}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// remediations says what the loop's changes became, the triage role's
// apart from the deterministic ones; empty when it made none.
func remediations(rs []Remediation) string {
	var parts []string
	for _, kind := range []string{"model", "deterministic"} {
		n, total := map[string]int{}, 0
		for _, r := range rs {
			if r.Kind == kind {
				n[string(r.Status)]++
				total++
			}
		}
		if total == 0 {
			continue
		}
		who := "the triage role proposed"
		if kind == "deterministic" {
			who = "deterministic fixes tried"
		}
		line := fmt.Sprintf("%s %d fix(es): %d kept, %d reverted, %d left for a human", who, total, n[string(Applied)], n[string(Reverted)], n[string(Refused)]+n[string(Proposal)])
		if k := total - n[string(Applied)] - n[string(Reverted)] - n[string(Refused)] - n[string(Proposal)]; k > 0 {
			line += fmt.Sprintf(", %d never made (no usable answer)", k)
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "; ")
}
