// Package pipeline runs the phases in order. The order lives here, in one
// list; the runner wraps every phase in the same middleware: selection,
// timing, a trace span, audit events, input hashing, input.json and
// output.json, panic recovery, cancellation.
package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/deploy"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
)

// Phases is the pipeline, top to bottom. Each entry builds the phase's
// Input from the state (earlier phases' Outputs), runs it, and keeps its
// Output in the state.
func Phases() []Phase {
	return []Phase{
		// Templates plus the codegen role's handlers, compiled.
		Step(phase.Scaffold, buildScaffold, scaffold.Run, func(s *State, o scaffold.Output) { s.Scaffold = &o }),
		// Acceptance tests from the spec's examples; validated unit tests from the testgen role.
		Step(phase.Testgen, buildTestgen, testgen.Run, func(s *State, o testgen.Output) { s.Testgen = &o }),
		// gofmt, goimports, vet and staticcheck with their fixes, then the fixer role; every fix verified.
		Step(phase.Lint, buildLint, lint.Run, keepLint),
		// The image, the compose project on its own network, the health gate.
		Step(phase.Deploy, buildDeploy, deploy.Run, func(s *State, o deploy.Output) { s.Deploy = &o }),
		// Unit and acceptance tests, flake re-runs, triage and the remediation loop.
		Step(phase.Test, buildTest, testrun.Run, keepTest),
		// Render report.md and the recommendations from everything recorded.
		Step(phase.Report, buildReport, report.Run, func(s *State, o report.Output) { s.Report = &o }).Always(),
	}
}

func buildScaffold(s *State) (scaffold.Input, error) {
	return scaffold.Input{Spec: s.Config.Service, Workdir: s.Workdir, Force: s.Config.Phases.Scaffold.Force}, nil
}

func buildTestgen(s *State) (testgen.Input, error) {
	in := testgen.Input{Spec: s.Config.Service, Workdir: s.Workdir, Unit: s.Config.Phases.Testgen.Unit,
		Force: s.Config.Phases.Scaffold.Force}
	var err error
	in.Sources, err = sources(filepath.Join(s.Workdir, filepath.FromSlash(s.Config.Service.Dir)))
	return in, err
}

// sources reads the service's code as it is on disk: what scaffold wrote,
// or what the user has since edited.
func sources(dir string) ([]testgen.Source, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []testgen.Source
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, testgen.Source{Path: filepath.Base(p), SHA256: hex.EncodeToString(sum[:]), Content: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Go files in %s: run the scaffold phase first (orchestrate run --only scaffold)", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func buildLint(s *State) (lint.Input, error) {
	c := s.Config
	l := c.Phases.Lint
	e2e := path.Join(c.Service.TestsDir, "e2e")
	return lint.Input{Workdir: s.Workdir, Checks: l.Checks, FailOn: l.FailOn, MaxPasses: l.MaxPasses, MaxModel: l.ModelFixes,
		Golangci: l.Golangci, FixesFile: l.FixesFile, Environ: s.Environ,
		Modules: []lint.Module{
			{Dir: c.Service.Dir, Fix: true},
			{Dir: c.Service.TestsDir, Why: "the acceptance tests are derived from the spec; findings there are fixed in the templates or the spec, never automatically"},
		},
		Policy: change.Policy{MaxLines: c.Policy.MaxLinesPerPatch, Protected: []string{e2e}},
	}, nil
}

// keepLint keeps the output and reports what is left: remaining findings
// do not change the run's status (phases.lint.fail_on does, through the
// phase's error), a failed fixer role is noted.
func keepLint(s *State, o lint.Output) {
	s.Lint = &o
	if len(o.FailedOn) > 0 {
		return
	}
	const most = 10
	for i, f := range o.Remaining {
		if i == most {
			s.Note(summary.Failure{Phase: phase.Lint, Class: string(failure.LintFindings),
				Message: fmt.Sprintf("%d more lint finding(s)", len(o.Remaining)-most), Where: o.Evidence.FindingsAfter})
			break
		}
		s.Note(summary.Failure{Phase: phase.Lint, Class: string(failure.LintFindings),
			Message: fmt.Sprintf("%s: %s", f.Analyzer, f.Message), Where: fmt.Sprintf("%s:%d", f.File, f.Line)})
	}
	if o.ModelErr != "" {
		s.Note(summary.Failure{Phase: phase.Lint, Class: string(failure.LLMError),
			Message: "the fixer role failed, findings were left unfixed: " + o.ModelErr})
	}
}

func buildDeploy(s *State) (deploy.Input, error) {
	c := s.Config
	return deploy.Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.Run.ID, Compose: c.Phases.Deploy.Compose,
		DockerHost: c.Docker.Host, Keep: c.Docker.Keep, HealthTimeout: c.Phases.Deploy.HealthTimeout, Environ: s.Environ}, nil
}

func buildTest(s *State) (testrun.Input, error) {
	c := s.Config
	din, _ := buildDeploy(s)
	return testrun.Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.Run.ID, MaxIterations: c.Phases.Test.MaxIterations,
		Policy: change.Policy{Dirs: []string{c.Service.Dir, c.Service.TestsDir}, Protected: []string{path.Join(c.Service.TestsDir, "e2e")},
			MaxLines: c.Policy.MaxLinesPerPatch},
		MaxLinesRun: c.Policy.MaxLinesPerRun, MinConfidence: c.Policy.MinConfidence, Inject: c.Phases.Test.Inject, Seed: c.Phases.Test.Seed,
		MaxQuestions: c.Phases.Test.MaxQuestions, PromptBytes: c.Phases.Test.PromptBytes,
		Deployed: s.Deploy, Deploy: din, Environ: s.Environ}, nil
}

// keepTest records the final counts and says in the summary what was
// found and done: failures left fail the run; flakes, remediated failures
// and proposals for a human are noted.
func keepTest(s *State, o testrun.Output) {
	s.Test = &o
	s.Tests = report.Tests{Passed: o.Final.Passed, Failed: o.Final.Failed, Skipped: o.Final.Skipped}
	if in := o.Inject; in != nil {
		s.Note(summary.Failure{Phase: phase.Test, Class: in.Expected,
			Message: fmt.Sprintf("injected fault %s at %s: %s (--inject, seed %d); expected class %s, found %s", in.Fault, orDash(in.Site), in.What, in.Seed, in.Expected, orDash(strings.Join(in.Found, ", "))), Where: in.Patch})
	}
	for _, r := range o.Remediations {
		switch r.Status {
		case testrun.Applied:
			s.Note(summary.Failure{Phase: phase.Test, Class: string(r.Failure.Class),
				Message: fmt.Sprintf("remediated in iteration %d by %s: %s", r.Iteration, r.Fixer, r.RootCause), Where: r.Patch})
		case testrun.Refused, testrun.Proposal:
			s.Note(summary.Failure{Phase: phase.Test, Class: string(r.Failure.Class),
				Message: fmt.Sprintf("a human must decide: %s (%s)", r.Reason, r.Failure.Message), Where: r.Patch})
		}
	}
	for i, f := range o.Remaining {
		if i > 0 { // the first is the phase's own failure
			s.Note(summary.Failure{Phase: phase.Test, Class: string(f.Class), Message: f.Message, Where: f.Where()})
		}
	}
	if len(o.QuestionCapHit) > 0 {
		s.Note(summary.Failure{Phase: phase.Test, Class: string(failure.Unknown),
			Message: fmt.Sprintf("phases.test.max_questions (%d) was reached in iteration(s) %v: some failures were not put to the triage role", s.Config.Phases.Test.MaxQuestions, o.QuestionCapHit)})
	}
	for _, f := range o.Flaky {
		s.Note(summary.Failure{Phase: phase.Test, Class: string(failure.Flaky),
			Message: fmt.Sprintf("%s failed, then passed when re-run alone: flaky, reported and not edited", f.Test), Where: f.Rerun})
	}
}

func buildReport(s *State) (report.Input, error) {
	return s.ReportInput(), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
