package testrun

import (
	"path"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Configure builds the phase's Input from the run's settings and the
// service the deploy phase left running (none when it did not run or
// failed: then the acceptance tests do not run either).
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	in := Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.RunID, MaxIterations: c.Phases.Test.MaxIterations,
		Policy: change.Policy{Dirs: []string{c.Service.Dir, c.Service.TestsDir}, Protected: []string{path.Join(c.Service.TestsDir, "e2e")},
			MaxLines: c.Policy.MaxLinesPerPatch},
		MaxLinesRun: c.Policy.MaxLinesPerRun, MinConfidence: c.Policy.MinConfidence, Inject: c.Phases.Test.Inject, Seed: c.Phases.Test.Seed,
		MaxQuestions: c.Phases.Test.MaxQuestions, PromptBytes: c.Phases.Test.PromptBytes,
		Compose: c.Phases.Deploy.Compose, Environ: s.Environ}
	if o, ok := s.Done(phase.Deploy); ok {
		if d, ok := o.(interface{ Service() phase.Service }); ok {
			in.Service = d.Service()
		}
	}
	return in, nil
}
