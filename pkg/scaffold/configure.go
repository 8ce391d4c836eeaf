package scaffold

import "github.com/orchestrate-dev/orchestrate/pkg/phase"

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	return Input{Spec: s.Config.Service, Workdir: s.Workdir, Force: s.Config.Phases.Scaffold.Force}, nil
}
