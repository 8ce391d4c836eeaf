package pipeline

import (
	"context"
	"errors"
	"time"
)

// Causes of a cancelled run context.
var (
	ErrInterrupted = errors.New("interrupted by a signal")
	ErrRunTimeout  = errors.New("run timeout reached")
)

// This file is the one place that knows why a run stopped early. A signal
// cancels the command's context with ErrInterrupted as its cause (pkg/cli);
// the run's context (RunContext) inherits it, or ends with ErrRunTimeout at
// the run's time limit; Why tells which, for the runner, the phases'
// failures and the summary alike.

type signalKey struct{}

// RunContext is ctx bounded by the run's time limit (none when zero).
func RunContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	run := context.WithValue(ctx, signalKey{}, ctx)
	if timeout <= 0 {
		return context.WithCancel(run)
	}
	return context.WithTimeoutCause(run, timeout, ErrRunTimeout)
}

// Why is why the run's context ended early: ErrInterrupted, ErrRunTimeout,
// or nil while it runs (or when it ended some other way). A signal wins
// over the time limit it raced.
func Why(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	if sig, ok := ctx.Value(signalKey{}).(context.Context); ok && errors.Is(context.Cause(sig), ErrInterrupted) {
		return ErrInterrupted
	}
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, ErrInterrupted):
		return ErrInterrupted
	case errors.Is(cause, ErrRunTimeout):
		return ErrRunTimeout
	}
	return nil
}
