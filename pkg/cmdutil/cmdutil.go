// Package cmdutil holds what every command shares: the factory of
// dependencies and the typed errors that decide exit codes.
package cmdutil

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

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
