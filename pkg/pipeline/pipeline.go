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
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
)

// Phases is the pipeline, top to bottom: the one place that knows the
// phases and their order (folder numbers, the summary schema's enum, help
// texts and selection derive from it). Each entry builds the phase's Input
// from the state (earlier phases' successful Outputs) and runs it; its
// Output, with its error, is kept in the state for later phases and the
// report, and says itself what the summary notes and the report shows.
func Phases() []Phase {
	return []Phase{
		Step(phase.Scaffold, "templates plus the codegen role's handlers, compiled", buildScaffold, scaffold.Run),
		Step(phase.Testgen, "acceptance tests from the spec's examples; validated unit tests from the testgen role", buildTestgen, testgen.Run),
		Step(phase.Lint, "gofmt, goimports, vet and staticcheck with their fixes, then the fixer role; every fix verified", buildLint, lint.Run),
		Step(phase.Deploy, "the image, the compose project on its own network, the health gate", buildDeploy, deploy.Run),
		Step(phase.Test, "unit and acceptance tests, flake re-runs, triage and the remediation loop", buildTest, testrun.Run),
		Step(phase.Report, "report.md, report.html, junit.xml and the recommendations from everything recorded", buildReport, report.Run).Always(),
	}
}

// Names are the phases' names in pipeline order.
func Names() []string {
	var out []string
	for _, p := range Phases() {
		out = append(out, p.Name)
	}
	return out
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

func buildDeploy(s *State) (deploy.Input, error) {
	c := s.Config
	return deploy.Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.Run.ID, Compose: c.Phases.Deploy.Compose,
		DockerHost: c.Docker.Host, Keep: c.Docker.Keep, HealthTimeout: c.Phases.Deploy.HealthTimeout, Environ: s.Environ}, nil
}

func buildTest(s *State) (testrun.Input, error) {
	c := s.Config
	var svc phase.Service
	if o, ok := Done[deploy.Output](s, phase.Deploy); ok {
		din, _ := buildDeploy(s)
		svc = deploy.Running(din, o)
	}
	return testrun.Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.Run.ID, MaxIterations: c.Phases.Test.MaxIterations,
		Policy: change.Policy{Dirs: []string{c.Service.Dir, c.Service.TestsDir}, Protected: []string{path.Join(c.Service.TestsDir, "e2e")},
			MaxLines: c.Policy.MaxLinesPerPatch},
		MaxLinesRun: c.Policy.MaxLinesPerRun, MinConfidence: c.Policy.MinConfidence, Inject: c.Phases.Test.Inject, Seed: c.Phases.Test.Seed,
		MaxQuestions: c.Phases.Test.MaxQuestions, PromptBytes: c.Phases.Test.PromptBytes,
		Service: svc, Compose: c.Phases.Deploy.Compose, Environ: s.Environ}, nil
}

func buildReport(s *State) (report.Input, error) {
	return s.ReportInput(), nil
}
