package scaffold

import (
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Settings is the phase's part of the config: force off (generated files
// changed by hand are kept).
var Settings = config.Section{Default: func(c *config.Config) { c.Phases.Scaffold = config.Scaffold{} }}

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	return Input{Spec: s.Config.Service, Workdir: s.Workdir, Force: s.Config.Phases.Scaffold.Force}, nil
}
