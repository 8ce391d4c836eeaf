package scaffold

import (
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Config is the phase's part of the config, phases.scaffold.
type Config struct {
	// Force overwrites files changed by hand since the last run.
	Force bool `yaml:"force" json:"force"`
}

// Settings is the phase's part of the config: force off (generated files
// changed by hand are kept).
var Settings = config.SectionOf(phase.Scaffold, "scaffold", Config{}, nil, config.RoleCodegen)

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	return Input{Spec: s.Config.Service, Workdir: s.Workdir, Force: config.Get[Config](s.Config, phase.Scaffold).Force}, nil
}
