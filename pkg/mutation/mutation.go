// Package mutation is the mutation phase: it measures whether the tests
// would notice a bug, not only which lines they ran. It plants the faults
// of pkg/mutate (the operators of --inject) one at a time in the service's
// non-test code, runs the unit tests against each mutant and the
// acceptance tests against the mutant's binary started on a free loopback
// port, and counts what the tests kill. Mutants run in parallel without a
// copy of the tree: each is an overlay (go test -c -overlay, go build
// -overlay) over the one source file it changes, so the build cache serves
// everything else; a mutant's one test binary both runs the unit tests
// and, started as the service, answers the acceptance tests (binary.go).
// The survivors can go
// to the testgen role for a test that kills them; a test is kept only when
// running it shows that it passes on the original and fails on its mutant.
package mutation

import (
	"context"
	"fmt"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// Name is the phase's name.
const Name = "mutation"

// Role writes the tests that kill survivors.
const Role = config.RoleTestgen

// Input of the mutation phase.
type Input struct {
	Spec     spec.Service `json:"spec"`
	Workdir  string       `json:"-"`
	Settings Config       `json:"settings"`
	// Inject is the fault the test phase planted (--inject): a run about
	// a planted fault measures nothing about the code as written.
	Inject string    `json:"inject,omitempty"`
	Go     gotool.Go `json:"-"`
}

// Statuses of a mutant.
const (
	Killed        = "killed"
	Survived      = "survived"
	NotCovered    = "not_covered"     // no test runs its line
	TimedOut      = "timed_out"       // the tests did not finish in time
	DidNotCompile = "did_not_compile" // never counted as killed
	Equivalent    = "equivalent"      // listed in phases.mutation.equivalent
	NotRun        = "not_run"         // sampled, not started within the budget
)

// Output of the mutation phase.
type Output struct {
	Sites      int      `json:"sites"`   // sites of the operators that change behaviour
	Sampled    int      `json:"sampled"` // at most phases.mutation.max_mutants
	Counts     Counts   `json:"counts"`
	Score      *float64 `json:"score"` // killed / (killed + survived); null when both are 0
	MinScore   float64  `json:"min_score,omitempty"`
	ByOperator []Group  `json:"by_operator"`
	ByFile     []Group  `json:"by_file"`
	Mutants    []Mutant `json:"mutants"`
	// Unreliable are tests that failed on the original code at least
	// once: their failure on a mutant kills nothing.
	Unreliable []string `json:"unreliable_tests,omitempty"`
	Workers    int      `json:"workers"`
	Seconds    float64  `json:"seconds"` // running the mutants, wall time
	PerSecond  float64  `json:"mutants_per_second"`
	Guided     *Guided  `json:"guided,omitempty"`
}

// Counts of mutants by status.
type Counts struct {
	Killed        int `json:"killed"`
	Survived      int `json:"survived"`
	NotCovered    int `json:"not_covered"`
	TimedOut      int `json:"timed_out"`
	DidNotCompile int `json:"did_not_compile"`
	Equivalent    int `json:"equivalent"`
	NotRun        int `json:"not_run"`
}

// Group is the counts of one operator or one file.
type Group struct {
	Name   string   `json:"name"`
	Counts Counts   `json:"counts"`
	Score  *float64 `json:"score"`
}

// Mutant is one planted fault and what the tests made of it.
type Mutant struct {
	ID       string   `json:"id"`
	Operator string   `json:"operator"`
	File     string   `json:"file"` // relative to the workdir
	Line     int      `json:"line"`
	Func     string   `json:"func"`
	Before   string   `json:"before"`
	After    string   `json:"after"`
	Status   string   `json:"status"`
	By       []string `json:"killed_by,omitempty"` // "unit TestX", "e2e TestY"
	Detail   string   `json:"detail,omitempty"`    // why equivalent, what did not compile…
	Patch    string   `json:"patch,omitempty"`     // the mutant's diff, relative to the run directory
	Seconds  float64  `json:"seconds"`
}

// Guided is the mutation-guided test generation.
type Guided struct {
	Asked int `json:"asked"` // survivors sent to the testgen role
	// NotGenerated says why no (more) tests were asked for: offline, with
	// no recorded answer for code edited by hand.
	NotGenerated string              `json:"not_generated,omitempty"`
	Kept         []Kept              `json:"kept,omitempty"`
	Rejected     []Rejected          `json:"rejected,omitempty"`
	Refused      []workspace.Refusal `json:"refused,omitempty"`
	ScoreBefore  *float64            `json:"score_before"`
	ScoreAfter   *float64            `json:"score_after"`
	KilledAfter  int                 `json:"killed_after"` // survivors the kept tests kill
	Files        []workspace.Change  `json:"files,omitempty"`
	Patch        string              `json:"patch,omitempty"` // relative to the run directory
}

// Kept is a new test file that passes on the original and kills its
// target, and the survivors it kills.
type Kept struct {
	File   string   `json:"file"` // relative to the service directory
	Tests  []string `json:"tests"`
	Target string   `json:"target"` // the survivor it was written for
	Kills  []string `json:"kills"`  // every survivor it kills
}

// Rejected is a test file that was not kept, and why.
type Rejected struct {
	File   string `json:"file"`
	Target string `json:"target"`
	Reason string `json:"reason"` // compile_error, fails_on_original, flaky_on_original, passes_on_mutant
	Output string `json:"output,omitempty"`
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{MinScore: in.Settings.MinScore}
	switch {
	case in.Settings.MaxMutants == 0:
		return out, phase.Skip("phases.mutation.max_mutants is 0: set it (e.g. 40) to measure the tests' mutation score")
	case in.Inject != "":
		return out, phase.Skip("a fault was planted in this run (--inject " + in.Inject + "); the score measures the code as written")
	}
	b, err := newBench(ctx, env, in)
	if b != nil {
		defer b.close()
	}
	if err != nil {
		return out, err
	}
	ms, sites, err := sample(in.Workdir, in.Spec.Dir, in.Settings)
	if err != nil {
		return out, err
	}
	out.Sites, out.Sampled, out.Unreliable = sites, len(ms), b.unreliableList()
	start := time.Now()
	out.Workers = b.runAll(ctx, env, ms, in.Settings)
	out.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return out, err
	}
	tally(&out, ms)
	if out.Seconds > 0 {
		out.PerSecond = float64(out.Sampled-out.Counts.NotRun) / out.Seconds
	}
	fmt.Fprintf(env.Log, "%d mutants in %.1fs (%.2f/s, %d workers): %s\n", out.Sampled-out.Counts.NotRun, out.Seconds, out.PerSecond, out.Workers, out.Counts)
	if in.Settings.Generate > 0 && out.Counts.Survived > 0 {
		if err := guide(ctx, env, b, in, &out); err != nil {
			return out, err
		}
	}
	return out, gate(env, out)
}

// gate fails the phase when the score is below phases.mutation.min_score.
func gate(env phase.Env, out Output) error {
	score := out.Score
	if out.Guided != nil && out.Guided.ScoreAfter != nil {
		score = out.Guided.ScoreAfter
	}
	if out.MinScore <= 0 || score == nil || *score >= out.MinScore {
		return nil
	}
	return &failure.Error{Class: failure.AssertionFailure, Where: env.Art.Rel("output.json"),
		Message: fmt.Sprintf("mutation score %.2f is below phases.mutation.min_score %.2f: %d mutants survived the tests; the report lists each with its diff, write tests that fail on them", *score, out.MinScore, out.Counts.Survived)}
}

func (c Counts) String() string {
	return fmt.Sprintf("%d killed, %d survived, %d not covered, %d timed out, %d did not compile, %d equivalent, %d not run",
		c.Killed, c.Survived, c.NotCovered, c.TimedOut, c.DidNotCompile, c.Equivalent, c.NotRun)
}
