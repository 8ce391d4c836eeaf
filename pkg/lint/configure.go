package lint

import (
	"path"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Configure builds the phase's Input from the run's settings: the service
// module is fixed, the acceptance tests' only analysed.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	l := c.Phases.Lint
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
