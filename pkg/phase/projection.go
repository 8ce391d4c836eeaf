package phase

import "github.com/orchestrate-dev/orchestrate/pkg/summary"

// A phase's Output says what it did, for the report and the summary: each
// phase owns its projections, so surfacing a new field touches only the
// phase's package.

// Projector is an Output that tells the report what the phase did.
type Projector interface {
	Detail() Detail
}

// Noter is an Output with things the summary notes without changing the
// run's status (its notes, not its failures): findings left, flakes,
// fixes made, proposals for a human.
type Noter interface {
	Notes() []summary.Failure
}

// Failer is an Output of a failed phase with more failures than its
// error names: each goes to the summary's failures, after the error's.
type Failer interface {
	MoreFailures() []summary.Failure
}

// Resulter is an Output with a result of its own in the summary (the
// mutation score): the phase's record carries it as phases[].result, and
// the summary schema describes it from its type (go generate
// ./pkg/pipeline), so a new phase's result touches only its package.
// SummaryResult is called on the zero Output too, for the type.
type Resulter interface {
	SummaryResult() any
}

// Detail is what one phase did, as the report tells it.
type Detail struct {
	Phase string   `json:"phase"`
	Facts []string `json:"facts"` // what it did, a line each
	// AI is what the models' answers became in this phase, in one line,
	// for the report's first screen; empty when no model was asked.
	AI         string      `json:"ai,omitempty"`
	Changes    []Change    `json:"changes,omitempty"`
	Iterations []Iteration `json:"iterations,omitempty"`
	Figures    []Figure    `json:"figures,omitempty"`
}

// Figure is a picture the phase made (an SVG under the run directory).
type Figure struct {
	Title string `json:"title"`
	Path  string `json:"path"` // relative to the run directory
}

// Change is one change to the code (or a proposal for one) and why.
type Change struct {
	Title  string `json:"title"`
	Status string `json:"status"` // applied, reverted, refused, proposal, …
	Reason string `json:"reason"`
	Patch  string `json:"patch,omitempty"` // relative to the run directory
}

// Iteration is one run of the test suites.
type Iteration struct {
	N        int             `json:"n"`
	Suites   []SuiteResult   `json:"suites"`
	Failures []FailureDetail `json:"failures,omitempty"`
	Verdict  string          `json:"verdict,omitempty"`
}

// SuiteResult is one suite's counts in an iteration.
type SuiteResult struct {
	Name    string `json:"name"`
	Ran     bool   `json:"ran"`
	Why     string `json:"why,omitempty"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	Log     string `json:"log,omitempty"`
}

// FailureDetail is a classified test failure with its evidence.
type FailureDetail struct {
	Test     string   `json:"test,omitempty"` // the failing test, when a test failed
	Class    string   `json:"class"`
	Where    string   `json:"where"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
}

// Case is one test's final result, for junit.xml.
type Case struct {
	Suite   string  `json:"suite"` // "unit" or "e2e", and the package: "unit example.com/x"
	Name    string  `json:"name"`
	Status  string  `json:"status"` // pass, fail, skip
	Seconds float64 `json:"seconds"`
	Flaky   bool    `json:"flaky,omitempty"` // failed, then passed alone: Status is the re-run's
	Output  string  `json:"-"`
}

// Tests are the final test counts.
type Tests struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Tested is an Output that ran tests: its final counts and per-test
// results.
type Tested interface {
	TestCounts() Tests
	Cases() []Case
}

// Patches lists a phase's applied patches as changes, each with the title
// and reason reason gives it.
func Patches(patches []string, reason func(i int, p string) (title, why string)) []Change {
	var out []Change
	for i, p := range patches {
		title, why := reason(i, p)
		out = append(out, Change{Title: title, Status: "applied", Reason: why, Patch: p})
	}
	return out
}
