package mutation

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Detail is what the phase did, for the report: the score, the counts by
// operator and by file, each survivor with its location and diff, and the
// tests written to kill them.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: Name}
	run := o.Sampled - o.Counts.NotRun - o.Counts.Equivalent
	d.Facts = append(d.Facts,
		fmt.Sprintf("mutation score %s: %d killed / (%d killed + %d survived); %d mutants run of %d sampled from %d sites, in %.1fs (%.2f mutants/s, %d workers)",
			pct(o.Score), o.Counts.Killed, o.Counts.Killed, o.Counts.Survived, run, o.Sampled, o.Sites, o.Seconds, o.PerSecond, o.Workers),
		"mutants: "+o.Counts.String())
	for _, g := range o.ByOperator {
		d.Facts = append(d.Facts, fmt.Sprintf("operator %s: score %s; %s", g.Name, pct(g.Score), g.Counts.short()))
	}
	for _, g := range o.ByFile {
		d.Facts = append(d.Facts, fmt.Sprintf("file %s: score %s; %s", g.Name, pct(g.Score), g.Counts.short()))
	}
	if len(o.Unreliable) > 0 {
		d.Facts = append(d.Facts, "failed on the original code, so they kill nothing: "+strings.Join(o.Unreliable, ", "))
	}
	if o.MinScore > 0 {
		d.Facts = append(d.Facts, fmt.Sprintf("phases.mutation.min_score: %.2f", o.MinScore))
	}
	for _, m := range o.Mutants {
		switch m.Status {
		case Survived:
			why := fmt.Sprintf("%s:%d in %s: `%s` became `%s`; every test passed", m.File, m.Line, m.Func, m.Before, m.After)
			if len(m.By) > 0 {
				why += "; killed since by " + strings.Join(m.By, ", ")
			}
			d.Changes = append(d.Changes, phase.Change{Title: "survivor " + m.ID, Status: Survived, Reason: why, Patch: m.Patch})
		case Equivalent:
			d.Facts = append(d.Facts, fmt.Sprintf("equivalent %s: %s", m.ID, m.Detail))
		}
	}
	if g := o.Guided; g != nil {
		d.Facts = append(d.Facts, g.facts()...)
		if g.Patch != "" {
			d.Changes = append(d.Changes, phase.Change{Title: "mutation-guided tests", Status: "applied",
				Reason: fmt.Sprintf("%d test files that pass on the original and fail on their mutant", len(g.Kept)), Patch: g.Patch})
		}
	}
	return d
}

// Notes is what the summary notes of the phase: tests not generated.
func (o Output) Notes() []summary.Failure {
	if g := o.Guided; g != nil && g.NotGenerated != "" {
		return []summary.Failure{{Phase: Name, Class: "llm_error", Message: g.NotGenerated}}
	}
	return nil
}

func (g *Guided) facts() []string {
	out := []string{fmt.Sprintf("mutation-guided tests: %d survivors asked, %d files kept, %d rejected, %d refused; score %s before, %s after (%d survivors killed)",
		g.Asked, len(g.Kept), len(g.Rejected), len(g.Refused), pct(g.ScoreBefore), pct(g.ScoreAfter), g.KilledAfter)}
	if g.NotGenerated != "" {
		out = append(out, g.NotGenerated)
	}
	for _, k := range g.Kept {
		out = append(out, fmt.Sprintf("%s (%s), written for %s, kills %s", k.File, strings.Join(k.Tests, ", "), k.Target, strings.Join(k.Kills, ", ")))
	}
	for _, r := range g.Rejected {
		out = append(out, fmt.Sprintf("not kept: %s for %s: %s", r.File, r.Target, r.Reason))
	}
	for _, r := range g.Refused {
		out = append(out, fmt.Sprintf("refused: %s: %s", r.Path, r.Reason))
	}
	return out
}

func (c Counts) short() string {
	return fmt.Sprintf("%d killed, %d survived, %d not covered, %d timed out, %d did not compile", c.Killed, c.Survived, c.NotCovered, c.TimedOut, c.DidNotCompile)
}

// Summary is the phase's result in the run's summary (phases[].result):
// how many planted faults the tests noticed.
type Summary struct {
	Mutants          int      `json:"mutants" schema:"minimum=0"` // sampled and classified (the known equivalent too; not those the budget left out)
	Killed           int      `json:"killed" schema:"minimum=0"`
	Survived         int      `json:"survived" schema:"minimum=0"`
	NotCovered       int      `json:"not_covered" schema:"minimum=0"`
	TimedOut         int      `json:"timed_out" schema:"minimum=0"`
	DidNotCompile    int      `json:"did_not_compile" schema:"minimum=0"`
	Equivalent       int      `json:"equivalent" schema:"minimum=0"`
	Score            *float64 `json:"score" schema:"nullable,minimum=0,maximum=1"`                 // killed / (killed + survived); null when both are 0
	ScoreAfter       *float64 `json:"score_after,omitempty" schema:"nullable,minimum=0,maximum=1"` // with the mutation-guided tests
	TestsKept        int      `json:"tests_kept,omitempty" schema:"minimum=0"`                     // mutation-guided test files kept
	KilledByNewTests int      `json:"killed_by_new_tests,omitempty" schema:"minimum=0"`
	Seconds          float64  `json:"seconds" schema:"minimum=0"`
}

// SummaryResult is the score for the run's summary.
func (o Output) SummaryResult() any {
	m := Summary{Mutants: o.Sampled - o.Counts.NotRun, Killed: o.Counts.Killed, Survived: o.Counts.Survived,
		NotCovered: o.Counts.NotCovered, TimedOut: o.Counts.TimedOut, DidNotCompile: o.Counts.DidNotCompile,
		Equivalent: o.Counts.Equivalent, Score: o.Score, Seconds: o.Seconds}
	if g := o.Guided; g != nil {
		m.ScoreAfter, m.TestsKept, m.KilledByNewTests = g.ScoreAfter, len(g.Kept), g.KilledAfter
	}
	return m
}
