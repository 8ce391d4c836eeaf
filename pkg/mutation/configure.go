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
var Settings = config.SectionOf(Name, "mutation", Config{Budget: 2 * time.Minute}, check, Role)

// Config is the phase's part of the config, phases.mutation: the mutation
// score of the suite, and tests written to kill the mutants that survive.
type Config struct {
	// MaxMutants bounds the mutants sampled per run; 0 turns the phase off.
	MaxMutants int `yaml:"max_mutants" json:"max_mutants"`
	// Budget bounds the wall time of running the mutants; those not
	// started by then are counted as not run.
	Budget time.Duration `yaml:"budget" json:"budget"`
	// Workers run mutants in parallel; 0 is one per CPU.
	Workers int `yaml:"workers" json:"workers"`
	// Seed chooses the sample.
	Seed int64 `yaml:"seed" json:"seed"`
	// MinScore fails the run when the score (killed / (killed +
	// survived)) is below it; 0 turns the gate off.
	MinScore float64 `yaml:"min_score" json:"min_score"`
	// Generate bounds the survivors sent to the testgen role for a test
	// that kills them; 0 turns mutation-guided tests off.
	Generate int `yaml:"generate" json:"generate"`
	// Equivalent lists mutants known to behave as the original, by id,
	// each with the reason; they count in no score.
	Equivalent []EquivalentMutant `yaml:"equivalent" json:"equivalent,omitempty"`
}

// EquivalentMutant is a mutant that no test can kill, and why.
type EquivalentMutant struct {
	ID     string `yaml:"id" json:"id"`
	Reason string `yaml:"reason" json:"reason"`
}

// check is the section's values.
func check(c *config.Config) error {
	m := config.Get[Config](c, Name)
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
	inject, _ := config.Value[string](c, "phases.test.inject")
	return Input{Spec: c.Service, Workdir: s.Workdir, Settings: config.Get[Config](c, Name), Inject: inject}, nil
}
