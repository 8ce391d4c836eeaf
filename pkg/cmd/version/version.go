// Package version is `orchestrate version`.
package version

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
)

// Options of `orchestrate version`.
type Options struct {
	F *cmdutil.Factory
}

// NewCmdVersion prints the version. It does no I/O beyond that, so it
// starts fast (see BenchmarkVersion). runF replaces the work in flag tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:     "version",
		Short:   "Print orchestrate's version",
		Example: "  $ orchestrate version",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Print(opts)
		},
	}
}

// Print writes the version line.
func Print(opts *Options) error {
	_, err := fmt.Fprintln(opts.F.IOStreams.Out, Line(opts.F.Version))
	return err
}

// Line is what `orchestrate version` and `orchestrate --version` print.
func Line(version string) string {
	return fmt.Sprintf("orchestrate %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
