// Package pipeline runs the phases in order. The order lives here, in one
// list; the runner wraps every phase in the same middleware: selection,
// timing, a trace span, audit events, input hashing, input.json and
// output.json, panic recovery, cancellation.
package pipeline

import (
	"encoding/json"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/deploy"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/mutation"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/release"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/review"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
)

//go:generate go run ./internal/phaseenum ../summary/summary.schema.json

// Phases is the pipeline, top to bottom: the one place that knows the
// phases and their order (folder numbers, the summary schema's enum, help
// texts and selection derive from it). Each entry builds the phase's Input
// from the state (earlier phases' successful Outputs) and runs it; its
// Output, with its error, is kept in the state for later phases and the
// report, and says itself what the summary notes and the report shows.
func Phases() []Phase {
	return []Phase{
		Step(phase.Scaffold, "templates plus the codegen role's handlers, compiled", scaffold.Settings, scaffold.Configure, scaffold.Run),
		Step(phase.Testgen, "acceptance tests from the spec's examples; validated unit tests from the testgen role", testgen.Settings, testgen.Configure, testgen.Run),
		Step(phase.Lint, "gofmt, goimports, vet and staticcheck with their fixes, then the fixer role; every fix verified", lint.Settings, lint.Configure, lint.Run),
		Step(review.Name, "the change against the last commit: gitleaks, gosec, risky constructs, the spec's API, the review role; a risky change waits for a human", review.Settings, review.Configure, review.Run),
		Step(phase.Deploy, "the image, the compose project on its own network, the health gate", deploy.Settings, deploy.Configure, deploy.Run),
		Step(phase.Test, "unit and acceptance tests, flake re-runs, triage and the remediation loop", testrun.Settings, testrun.Configure, testrun.Run),
		Step(mutation.Name, "the mutation score: AST mutants against the unit tests and the acceptance tests on a loopback port; tests written to kill survivors", mutation.Settings, mutation.Configure, mutation.Run),
		Step(release.Name, "the stable release: promoted once the tests pass, or after a canary against the last one under the spec's examples", release.Settings, release.Configure, release.Run),
		step(phase.Report, "report.md, report.html, junit.xml and the recommendations from everything recorded", buildReport, report.Run).Always(),
	}
}

// Sections are the phases' parts of the config, for a config.Loader.
func Sections() []config.Section {
	var out []config.Section
	for _, p := range Phases() {
		out = append(out, p.settings)
	}
	return out
}

// Default is the configuration before the file, environment and flags:
// config.Default with every phase's defaults.
func Default() config.Config { return config.Base(Sections()...) }

// Result is a phase's own part of the summary (phases[].result) and its
// JSON Schema, generated from the type.
type Result struct {
	Phase  string
	Schema json.RawMessage
}

// Results are the phases with a result of their own, in pipeline order.
func Results() []Result {
	var out []Result
	for _, p := range Phases() {
		if p.result != nil {
			out = append(out, Result{p.Name, llm.SchemaFor(p.result, llm.Closed())})
		}
	}
	return out
}

// Names are the phases' names in pipeline order.
func Names() []string {
	var out []string
	for _, p := range Phases() {
		out = append(out, p.Name)
	}
	return out
}

// buildReport is the one builder that reads the whole state: the report is
// the run's own account of itself.
func buildReport(s *State) (report.Input, error) {
	return s.ReportInput(), nil
}
