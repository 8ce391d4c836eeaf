package mutation

import "github.com/orchestrate-dev/orchestrate/pkg/phase"

// Configure builds the phase's Input from the run's settings; the code
// and tests are read as they are on disk when the phase runs.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	return Input{Spec: c.Service, Workdir: s.Workdir, Settings: c.Phases.Mutation, Inject: c.Phases.Test.Inject}, nil
}
