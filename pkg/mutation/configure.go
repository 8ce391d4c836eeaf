package mutation

import (
	"fmt"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Settings is the phase's part of the config: two minutes for the mutants;
// no mutants unless phases.mutation.max_mutants asks for some.
var Settings = config.Section{
	Default: func(c *config.Config) { c.Phases.Mutation = config.Mutation{Budget: 2 * time.Minute} },
	Check:   check,
}

// check is the section's values.
func check(c *config.Config) error {
	m := c.Phases.Mutation
	switch {
	case m.MaxMutants < 0 || m.Workers < 0 || m.Generate < 0:
		return &config.KeyError{Key: "phases.mutation", Msg: "max_mutants, workers and generate must not be negative"}
	case m.Budget <= 0:
		return &config.KeyError{Key: "phases.mutation.budget", Msg: "must be positive, e.g. 2m"}
	case m.MinScore < 0 || m.MinScore > 1:
		return &config.KeyError{Key: "phases.mutation.min_score", Msg: "must be between 0 and 1 (0 turns the gate off)"}
	}
	for i, e := range m.Equivalent {
		if strings.TrimSpace(e.ID) == "" || strings.TrimSpace(e.Reason) == "" {
			return &config.KeyError{Key: fmt.Sprintf("phases.mutation.equivalent[%d]", i), Msg: "needs an id (as the report lists it) and a reason"}
		}
	}
	return nil
}

// Configure builds the phase's Input from the run's settings; the code
// and tests are read as they are on disk when the phase runs.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	return Input{Spec: c.Service, Workdir: s.Workdir, Settings: c.Phases.Mutation, Inject: c.Phases.Test.Inject}, nil
}
