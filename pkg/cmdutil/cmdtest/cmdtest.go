// Package cmdtest runs one command the way the root command runs it, for
// tests of its flags: buffered streams, a fixed clock, no network.
package cmdtest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/iostreams"
)

// Now is the clock of Factory.
var Now = time.Date(2026, 11, 20, 22, 41, 0, 0, time.UTC)

// Factory returns a factory whose streams are buffers (returned: stdout,
// stderr), whose environment is empty and whose HTTP client fails every
// request.
func Factory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cmdutil.Factory{
		IOStreams: ios,
		Now:       func() time.Time { return Now },
		Environ:   func() []string { return nil },
		Getenv:    func(string) string { return "" },
		HTTPClient: func() *http.Client {
			return &http.Client{Transport: noNetwork{}}
		},
		Versions: func(context.Context) map[string]string { return map[string]string{} },
		Version:  "test",
	}, out, errOut
}

type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("cmdtest: no network in flag tests")
}

// Parse builds a command with newCmd, runs it with args (see Exec) and
// returns the options its work would have run with: nil when it never
// got that far.
func Parse[T any](f *cmdutil.Factory, newCmd func(*cmdutil.Factory, func(context.Context, *T) error) *cobra.Command, args ...string) (*T, error) {
	var got *T
	runF := func(_ context.Context, opts *T) error {
		got = opts
		return nil
	}
	err := Exec(f, newCmd(f, runF), args...)
	return got, err
}

// Exec runs `orchestrate <cmd> args...` with cmd under a root set up like
// orchestrate's: flag errors are FlagErrors, output goes to f's streams.
func Exec(f *cmdutil.Factory, cmd *cobra.Command, args ...string) error {
	root := &cobra.Command{Use: "orchestrate", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	_, err := root.ExecuteContextC(context.Background())
	return err
}

// IsUsage reports whether err ends the process with the usage exit code
// (2) and the pointer to --help: a FlagError.
func IsUsage(err error) bool {
	var fe *cmdutil.FlagError
	return errors.As(err, &fe) && cmdutil.ExitCode(err) == 2
}

// FlagCase is one flag-parsing case: the arguments, and either the
// options the command would run with or a usage error containing WantErr.
type FlagCase[T any] struct {
	Name    string
	Args    []string
	Want    T
	WantErr string
}

// CheckFlags builds the command with a runF that captures its options for
// each case and checks them (setF puts the test factory into the wanted
// options), or checks that a usage error stopped the command before it
// ran. Parsing flags writes nothing.
func CheckFlags[T any](t *testing.T, newCmd func(*cmdutil.Factory, func(context.Context, *T) error) *cobra.Command, setF func(*T, *cmdutil.Factory), cases []FlagCase[T]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			f, stdout, stderr := Factory()
			got, err := Parse(f, newCmd, tt.Args...)
			if tt.WantErr != "" {
				if !IsUsage(err) || !strings.Contains(err.Error(), tt.WantErr) {
					t.Fatalf("error %v (%T), want a usage error containing %q", err, err, tt.WantErr)
				}
				if got != nil {
					t.Errorf("the command ran with %+v after a usage error", *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			setF(&tt.Want, f)
			if !reflect.DeepEqual(*got, tt.Want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.Want)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("flag parsing wrote output: %q %q", stdout, stderr)
			}
		})
	}
}
