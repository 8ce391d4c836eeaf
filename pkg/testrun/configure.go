package testrun

import (
	"path"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Settings is the phase's part of the config: three remediation rounds,
// three questions per round, 15 KiB per question.
var Settings = config.Section{
	Default: func(c *config.Config) {
		c.Phases.Test = config.Test{MaxIterations: 3, MaxQuestions: 3, PromptBytes: 15 << 10}
	},
	Check: func(c *config.Config) error {
		t := c.Phases.Test
		switch {
		case t.MaxIterations < 1:
			return &config.KeyError{Key: "phases.test.max_iterations", Msg: "must be at least 1"}
		case t.MaxQuestions < 1:
			return &config.KeyError{Key: "phases.test.max_questions", Msg: "must be at least 1"}
		case t.PromptBytes < 8192:
			return &config.KeyError{Key: "phases.test.prompt_bytes", Msg: "must be at least 8192: the instructions and the evidence alone need that"}
		}
		return nil
	},
}

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
