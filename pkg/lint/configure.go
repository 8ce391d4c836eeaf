package lint

import (
	"fmt"
	"path"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Settings is the phase's part of the config: five analyzer passes, ten
// places for the fixer role, golangci-lint when installed, FIXES.md for
// what was fixed; fail on nothing.
var Settings = config.Section{
	Default: func(c *config.Config) {
		c.Phases.Lint = config.Lint{MaxPasses: 5, ModelFixes: 10, Golangci: "auto", FixesFile: "FIXES.md"}
	},
	Check: func(c *config.Config) error {
		l := c.Phases.Lint
		switch l.Golangci {
		case "auto", "off":
		default:
			return &config.KeyError{Key: "phases.lint.golangci", Msg: fmt.Sprintf("%q must be auto or off", l.Golangci)}
		}
		if l.MaxPasses < 1 || l.ModelFixes < 0 {
			return &config.KeyError{Key: "phases.lint", Msg: "max_passes must be at least 1 and model_fixes at least 0"}
		}
		return nil
	},
}

// Configure builds the phase's Input from the run's settings: the service
// module is fixed, the acceptance tests' only analysed.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	l := c.Phases.Lint
	e2e := path.Join(c.Service.TestsDir, "e2e")
	return Input{Workdir: s.Workdir, Checks: l.Checks, FailOn: l.FailOn, MaxPasses: l.MaxPasses, MaxModel: l.ModelFixes,
		Golangci: l.Golangci, FixesFile: l.FixesFile, Environ: s.Environ,
		Modules: []Module{
			{Dir: c.Service.Dir, Fix: true},
			{Dir: c.Service.TestsDir, Why: "the acceptance tests are derived from the spec; findings there are fixed in the templates or the spec, never automatically"},
		},
		Policy: change.Policy{MaxLines: c.Policy.MaxLinesPerPatch, Protected: []string{e2e}},
	}, nil
}
