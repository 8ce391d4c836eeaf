package testrun

import (
	"os"
	"path"
	"path/filepath"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phasecache"
)

// Settings is the phase's part of the config: three remediation rounds,
// three questions per round, 15 KiB per question.
var Settings = config.SectionOf(phase.Test, "test", Config{MaxIterations: 3, MaxQuestions: 3, PromptBytes: 15 << 10},
	func(c *config.Config) error {
		t := config.Get[Config](c, phase.Test)
		switch {
		case t.MaxIterations < 1:
			return &config.KeyError{Key: "phases.test.max_iterations", Msg: "must be at least 1"}
		case t.MaxQuestions < 1:
			return &config.KeyError{Key: "phases.test.max_questions", Msg: "must be at least 1"}
		case t.PromptBytes < 8192:
			return &config.KeyError{Key: "phases.test.prompt_bytes", Msg: "must be at least 8192: the instructions and the evidence alone need that"}
		}
		return nil
	}, config.RoleTriage)

// Config is the phase's part of the config, phases.test.
type Config struct {
	// MaxIterations bounds the remediation rounds.
	MaxIterations int `yaml:"max_iterations" json:"max_iterations"`
	// MaxQuestions bounds the triage role's questions per iteration, one
	// per cluster of failures that share a root.
	MaxQuestions int `yaml:"max_questions" json:"max_questions"`
	// PromptBytes bounds one triage question (code, tests, spec, evidence),
	// sized for a small local model.
	PromptBytes int `yaml:"prompt_bytes" json:"prompt_bytes"`
	// Seed places an injected fault among the sites of its operator.
	Seed int64 `yaml:"seed" json:"seed"`
	// Inject plants a known fault before the tests run (--inject).
	Inject string `yaml:"inject" json:"inject"`
}

// Configure builds the phase's Input from the run's settings and the
// service the deploy phase left running (none when it did not run or
// failed: then the acceptance tests do not run either).
func Configure(s phase.Setup) (Input, error) {
	c, t := s.Config, config.Get[Config](s.Config, phase.Test)
	compose, _ := config.Value[string](c, "phases.deploy.compose")
	in := Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.RunID, MaxIterations: t.MaxIterations,
		Policy: change.Policy{Dirs: []string{c.Service.Dir, c.Service.TestsDir}, Protected: []string{path.Join(c.Service.TestsDir, "e2e")},
			MaxLines: c.Policy.MaxLinesPerPatch},
		MaxLinesRun: c.Policy.MaxLinesPerRun, MinConfidence: c.Policy.MinConfidence, Inject: t.Inject, Seed: t.Seed,
		MaxQuestions: t.MaxQuestions, PromptBytes: t.PromptBytes, Compose: compose, Environ: s.Environ}
	if o, ok := s.Done(phase.Deploy); ok {
		if d, ok := o.(interface{ Service() phase.Service }); ok {
			in.Service = d.Service()
		}
	}
	in.Deployed = in.Service != nil
	if b, err := os.ReadFile(filepath.Join(s.Workdir, filepath.FromSlash(c.Service.Dir), compose)); err == nil && compose != "" {
		in.ComposeEnv = phasecache.EnvNamed(b, s.Environ)
	}
	return in, nil
}
