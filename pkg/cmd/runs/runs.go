// Package runs is `orchestrate runs`.
package runs

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate runs`.
type Options struct {
	F         *cmdutil.Factory
	Artifacts string
}

// NewCmdRuns lists past runs.
func NewCmdRuns(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "runs",
		Short:   "List past runs, newest first",
		Example: "  $ orchestrate runs\n  $ orchestrate runs --artifacts ci-artifacts",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return List(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Artifacts, "artifacts", "artifacts", "artifacts `DIR`")
	return cmd
}

// List prints one line per run.
func List(opts *Options) error {
	ios := opts.F.IOStreams
	entries, errs := summary.List(opts.Artifacts)
	for _, err := range errs {
		fmt.Fprintf(ios.ErrOut, "orchestrate: skipping unreadable summary: %v\n", err)
	}
	if len(entries) == 0 {
		fmt.Fprintf(ios.ErrOut, "no runs in %s (run `orchestrate run` first, or pass --artifacts)\n", opts.Artifacts)
		return nil
	}
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN ID\tSTARTED (UTC)\tSTATUS\tDURATION\tFAILURES")
	for _, e := range entries {
		s := e.Summary
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1fs\t%d\n", s.RunID, s.StartedAt.UTC().Format("2006-01-02 15:04:05"), s.Status, s.TimeTakenSeconds, len(s.Failures))
	}
	return tw.Flush()
}
