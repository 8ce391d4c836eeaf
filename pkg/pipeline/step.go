package pipeline

import (
	"context"
	"reflect"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Phase is one entry of the pipeline, its typed Input and Output hidden
// behind run so the runner can treat every phase alike.
type Phase struct {
	Name   string
	What   string // one line, for help texts
	always bool
	// settings is the phase's part of the config.
	settings config.Section
	// result is the type of the phase's own result in the summary, when
	// its Output has one (phase.Resulter).
	result reflect.Type
	run    func(ctx context.Context, env phase.Env, s *State) (in, out any, err error)
}

// Always marks a phase that runs even after an earlier phase failed or
// the run was interrupted (the report).
func (p Phase) Always() Phase { p.always = true; return p }

// Step adapts a phase package: its part of the config, then, in a
// run, build its Input from the state, run it, and keep its Output with
// its error. The signature keeps the contract visible: Input and Output
// are the phase's own types. What the Output says for the summary
// (phase.Noter) is noted as it arrives.
func Step[I, O any](name, what string, settings config.Section, build func(phase.Setup) (I, error), run func(context.Context, phase.Env, I) (O, error)) Phase {
	p := step(name, what, func(s *State) (I, error) { return build(s.setup()) }, run)
	p.settings = settings
	return p
}

// step is Step with a builder that reads the state itself (the report).
func step[I, O any](name, what string, build func(*State) (I, error), run func(context.Context, phase.Env, I) (O, error)) Phase {
	var zero O
	var result reflect.Type
	if r, ok := any(zero).(phase.Resulter); ok {
		result = reflect.TypeOf(r.SummaryResult())
	}
	return Phase{Name: name, What: what, result: result, run: func(ctx context.Context, env phase.Env, s *State) (any, any, error) {
		in, err := build(s)
		if err != nil {
			return nil, nil, err
		}
		if out, ok := reuse[I, O](ctx, s, env, name, in); ok {
			s.keep(name, out, nil)
			return in, out, nil
		}
		out, err := run(ctx, env, in)
		s.keep(name, out, err)
		return in, out, err
	}}
}

// result is what a phase left: its Output, and its error.
type result struct {
	out any
	err error
}

func (s *State) keep(name string, out any, err error) {
	s.mu.Lock()
	if s.results == nil {
		s.results = map[string]result{}
	}
	s.results[name] = result{out, err}
	s.mu.Unlock()
	if t, ok := out.(phase.Tested); ok {
		s.Tests = t.TestCounts()
	}
	if n, ok := out.(phase.Noter); ok {
		for _, f := range n.Notes() {
			s.Note(f)
		}
	}
}

// Done is a phase's Output when it ran and succeeded: what a later phase's
// Input may be built from. A failed phase's Output is evidence for the
// report, never an input.
func Done[O any](s *State, name string) (O, bool) {
	o, err, ok := Ran[O](s, name)
	return o, ok && err == nil
}

// Ran is a phase's Output and error, whatever happened, when it ran.
func Ran[O any](s *State, name string) (O, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.results[name]
	o, typed := r.out.(O)
	return o, r.err, ok && typed
}

// setup is what a phase's Input is built from.
func (s *State) setup() phase.Setup {
	return phase.Setup{Config: s.Config, Workdir: s.Workdir, RunID: s.Run.ID, Environ: s.Environ,
		Done: func(name string) (any, bool) {
			r, ok := s.result(name)
			return r.out, ok && r.err == nil
		}}
}
