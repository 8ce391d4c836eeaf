package deploy

import (
	"context"
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
	return Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.RunID, Compose: d.Compose,
		DockerHost: c.Docker.Host, Keep: c.Docker.Keep, HealthTimeout: d.HealthTimeout, Environ: s.Environ}, nil
}

// Service is the deployment a successful run of the phase left, as a
// phase.Service: the test phase reaches it and redeploys it through this,
// without importing this package.
func (o Output) Service() phase.Service { return runningService{o.in, o} }

type runningService struct {
	in  Input
	out Output
}

func (r runningService) Endpoint() string { return r.out.URL }

func (r runningService) Redeploy(ctx context.Context, env phase.Env) (phase.Service, error) {
	next, err := Redeploy(ctx, env, r.in, r.out)
	if err != nil {
		return nil, err
	}
	next.in = r.in
	return runningService{r.in, next}, nil
}
