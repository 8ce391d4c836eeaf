// Package merge is `orchestrate merge`.
package merge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/merge"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate merge`.
type Options struct {
	F     *cmdutil.Factory
	Paths []string
	Out   string
}

// NewCmdMerge merges several runs' summaries into one report.
func NewCmdMerge(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "merge <summary or artifacts dir>...",
		Short: "Merge several runs' summaries (one per service, one per CI job) into one report",
		Long: heredoc.Doc(`
			Merge the summaries of several runs into one report: a line per run
			(service, status, tests, failures, notes, model calls, cost, a link to
			its report), each run's failures, and the totals. Each argument is a
			summary-*.json, or a directory whose summary-*.json are all taken (an
			artifacts directory, as a CI job uploads it).

			Writes report.md, report.html and merged.json into --out, prints the
			outcome, and exits with the worst run's code: 0 all succeeded, 1 one
			failed, 3 one was partial.
		`),
		Example: heredoc.Doc(`
			# the artifacts of every job of a matrix, downloaded side by side
			$ orchestrate merge --out merged all/*/
			$ orchestrate merge services/*/artifacts/summary-*.json
		`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf(fmt.Errorf("name the summaries or artifacts directories to merge"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Merge(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "merged", "write the merged report into `DIR`")
	return cmd
}

// Merge writes the merged report.
func Merge(opts *Options) error {
	r, err := merge.Read(opts.Paths, opts.Out)
	if err != nil {
		return cmdutil.FlagErrorf(err)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("merge: %w", err)}
	}
	page, err := merge.HTML(r)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("merge: %w", err)}
	}
	doc, err := artifact.MarshalJSON(r)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("merge: %w", err)}
	}
	for name, b := range map[string][]byte{"report.md": []byte(merge.Markdown(r)), "report.html": page, "merged.json": doc} {
		if err := artifact.WriteAtomic(filepath.Join(opts.Out, name), b, 0o644); err != nil {
			return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("merge: %w", err)}
		}
	}
	t := r.Totals
	fmt.Fprintf(opts.F.IOStreams.Out, "%s: %d run(s), %d succeeded, %d partial, %d failed; report %s\n",
		strings.ToUpper(string(r.Status)), t.Runs, t.Succeeded, t.Partial, t.Failed, filepath.Join(opts.Out, "report.html"))
	if r.ExitCode != 0 {
		return &cmdutil.ExitError{Code: r.ExitCode}
	}
	return nil
}
