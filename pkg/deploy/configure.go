package deploy

import (
	"context"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Settings is the phase's part of the config: compose.yaml, and a minute
// for the health gate.
var Settings = config.Section{Default: func(c *config.Config) {
	c.Phases.Deploy.Compose, c.Phases.Deploy.HealthTimeout = "compose.yaml", 60*time.Second
}}

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	return Input{Spec: c.Service, Workdir: s.Workdir, RunID: s.RunID, Compose: c.Phases.Deploy.Compose,
		DockerHost: c.Docker.Host, Keep: c.Docker.Keep, HealthTimeout: c.Phases.Deploy.HealthTimeout, Environ: s.Environ}, nil
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
