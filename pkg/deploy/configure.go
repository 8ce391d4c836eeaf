package deploy

import (
	"fmt"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Config is the phase's part of the config, phases.deploy (whose
// strategy and canary keys are the release phase's).
type Config struct {
	// Compose is the compose file, relative to the service directory.
	Compose string `yaml:"compose" json:"compose"`
	// HealthTimeout bounds the wait for every container to be healthy.
	HealthTimeout time.Duration `yaml:"health_timeout" json:"health_timeout"`
}

// Settings is the phase's part of the config: compose.yaml, and a minute
// for the health gate.
var Settings = config.SectionOf(phase.Deploy, "deploy", Config{Compose: "compose.yaml", HealthTimeout: 60 * time.Second},
	func(c *config.Config) error {
		if d := config.Get[Config](c, phase.Deploy); d.HealthTimeout < 0 {
			return &config.KeyError{Key: "phases.deploy.health_timeout", Msg: fmt.Sprintf("%s is negative; use a positive duration", d.HealthTimeout)}
		}
		return nil
	})

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	c, d := s.Config, config.Get[Config](s.Config, phase.Deploy)
	in := Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.RunID, Compose: d.Compose,
		DockerHost: c.Docker.Host, Keep: c.Docker.Keep, HealthTimeout: d.HealthTimeout, Environ: s.Environ}
	in.ComposeEnv, in.Daemon = composeEnv(in), daemonOf(in)
	return in, nil
}
