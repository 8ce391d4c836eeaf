// Package cmdutil holds what every command shares: the factory of
// dependencies and the typed errors that decide exit codes.
package cmdutil

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/iostreams"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Factory hands commands their dependencies; tests replace any of them.
type Factory struct {
	IOStreams  *iostreams.IOStreams
	Now        func() time.Time
	Environ    func() []string
	Getenv     func(string) string
	HTTPClient func() *http.Client
	// Versions reports the versions of external tools (go, docker) for
	// run.json and doctor; empty values mean "not found".
	Versions func(ctx context.Context) map[string]string
	Version  string
}

// FlagError is a usage mistake: exit 2 and a pointer to --help.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf returns a FlagError.
func FlagErrorf(err error) error { return &FlagError{Err: err} }

// FlagErrorFunc makes a flag that does not parse a FlagError. The root
// command sets it; every command below inherits it.
func FlagErrorFunc(_ *cobra.Command, err error) error { return FlagErrorf(err) }

// NoArgs, ExactArgs and MaximumNArgs are cobra's checks of positional
// arguments whose errors are FlagErrors: usage mistakes, exit 2.
func NoArgs(cmd *cobra.Command, args []string) error { return usage(cobra.NoArgs(cmd, args)) }

// ExactArgs is cobra.ExactArgs failing with a FlagError.
func ExactArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.ExactArgs(n)) }

// MaximumNArgs is cobra.MaximumNArgs failing with a FlagError.
func MaximumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MaximumNArgs(n)) }

func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error { return usage(check(cmd, args)) }
}

func usage(err error) error {
	if err == nil {
		return nil
	}
	return FlagErrorf(err)
}

// ExitError ends the command with Code, printing Err when it is not nil.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return "exit status " + strconv.Itoa(e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// ErrSilent ends a command with exit 1 and no message (it said enough).
var ErrSilent = errors.New("silent")

// ExitCode maps a command's error to the process exit code.
func ExitCode(err error) int {
	var ee *ExitError
	var fe *FlagError
	switch {
	case err == nil:
		return summary.ExitSuccess
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &fe):
		return summary.ExitUsage
	}
	return summary.ExitFailed
}
