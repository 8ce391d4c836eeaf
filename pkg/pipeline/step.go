package pipeline

import (
	"context"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Phase is one entry of the pipeline, its typed Input and Output hidden
// behind run so the runner can treat every phase alike.
type Phase struct {
	Name   string
	always bool
	run    func(ctx context.Context, env phase.Env, s *State) (in, out any, err error)
}

// Always marks a phase that runs even after an earlier phase failed or
// the run was interrupted (the report).
func (p Phase) Always() Phase { p.always = true; return p }

// Step adapts a phase package's entry point: build its Input from the
// state, run it, and keep its Output. The signature keeps the contract
// visible: Input and Output are the phase's own types.
func Step[I, O any](name string, build func(*State) (I, error), run func(context.Context, phase.Env, I) (O, error), keep func(*State, O)) Phase {
	return Phase{Name: name, run: func(ctx context.Context, env phase.Env, s *State) (any, any, error) {
		in, err := build(s)
		if err != nil {
			return nil, nil, err
		}
		out, err := run(ctx, env, in)
		keep(s, out)
		return in, out, err
	}}
}
