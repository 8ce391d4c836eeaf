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
var Settings = config.SectionOf(phase.Lint, "lint", Config{MaxPasses: 5, ModelFixes: 10, Golangci: "auto", FixesFile: "FIXES.md"},
	func(c *config.Config) error {
		l := config.Get[Config](c, phase.Lint)
		switch l.Golangci {
		case "auto", "off":
		default:
			return &config.KeyError{Key: "phases.lint.golangci", Msg: fmt.Sprintf("%q must be auto or off", l.Golangci)}
		}
		if l.MaxPasses < 1 || l.ModelFixes < 0 {
			return &config.KeyError{Key: "phases.lint", Msg: "max_passes must be at least 1 and model_fixes at least 0"}
		}
		return nil
	}, config.RoleFixer)

// Config is the phase's part of the config, phases.lint.
type Config struct {
	// Checks selects analyzers: groups (vet, staticcheck, simple,
	// stylecheck, unused, modernize), names (printf, SA4006), patterns
	// (SA4*), "all"; "-" removes. Empty: the defaults.
	Checks []string `yaml:"checks" json:"checks"`
	// FailOn names analyzers, groups or "any" whose remaining findings
	// fail the phase. Empty: findings are reported, never fatal.
	FailOn []string `yaml:"fail_on" json:"fail_on"`
	// MaxPasses bounds the deterministic fix passes.
	MaxPasses int `yaml:"max_passes" json:"max_passes"`
	// ModelFixes bounds the findings sent to the fixer role per run; 0
	// turns model fixes off.
	ModelFixes int `yaml:"model_fixes" json:"model_fixes"`
	// Golangci: "auto" runs golangci-lint when a module configures it and
	// it is on PATH; "off" never.
	Golangci string `yaml:"golangci" json:"golangci"`
	// FixesFile is where applied fixes are explained, relative to the
	// workdir; empty turns it off.
	FixesFile string `yaml:"fixes_file" json:"fixes_file"`
}

// Configure builds the phase's Input from the run's settings: the service
// module is fixed, the acceptance tests' only analysed.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	l := config.Get[Config](c, phase.Lint)
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
