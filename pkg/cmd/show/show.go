// Package show is `orchestrate show`.
package show

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	runscmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/runs"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate show`.
type Options struct {
	F          *cmdutil.Factory
	ConfigFile string
	Artifacts  string
	RunID      string
	JSON       bool
}

// NewCmdShow prints one run's summary and where its files are.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "show <run-id>",
		Short:   "Show a run's summary and where its files are",
		Example: "  $ orchestrate show 20261120T224100Z-1a2b3c\n  $ orchestrate show 20261120T224100Z-1a2b3c --json | jq .failures",
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Show(opts)
		},
	}
	runscmd.AddLocationFlags(cmd, &opts.ConfigFile, &opts.Artifacts)
	cmd.ValidArgsFunction = runscmd.CompleteRunIDs(&opts.ConfigFile, &opts.Artifacts)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the summary JSON")
	return cmd
}

// Show prints the summary.
func Show(opts *Options) error {
	e, err := summary.Find(locate.Artifacts(locate.Cwd(), opts.ConfigFile, opts.Artifacts), opts.RunID)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: err}
	}
	out := opts.F.IOStreams.Out
	s := e.Summary
	if opts.JSON {
		b, _ := artifact.MarshalJSON(s)
		_, err := out.Write(b)
		return err
	}
	fmt.Fprintf(out, "run:       %s\nstatus:    %s (exit %d)\nstarted:   %s\nduration:  %.1fs\ntests:     %d passed, %d failed, %d skipped\nllm:       %d calls, %d cache hits, %d+%d tokens, $%.4f\nsummary:   %s\nartifacts: %s\n",
		s.RunID, s.Status, s.ExitCode, s.StartedAt.Format("2006-01-02 15:04:05Z07:00"), s.TimeTakenSeconds,
		s.TestsPassed, s.TestsFailed, s.TestsSkipped,
		s.LLM.Calls, s.LLM.CacheHits, s.LLM.PromptTokens, s.LLM.CompletionTokens, s.LLM.CostUSD,
		e.Path, s.ArtifactsDir)
	fmt.Fprintln(out, "phases:")
	for _, p := range s.Phases {
		extra := ""
		if p.SkipReason != "" {
			extra = " (" + p.SkipReason + ")"
		}
		fmt.Fprintf(out, "  %-9s %-8s %6.2fs%s\n", p.Name, p.Status, p.DurationSeconds, extra)
	}
	if len(s.Failures) > 0 {
		fmt.Fprintln(out, "failures:")
		for _, f := range s.Failures {
			fmt.Fprintf(out, "  %s [%s] %s", f.Phase, f.Class, f.Message)
			if f.Where != "" {
				fmt.Fprintf(out, " (see %s)", f.Where)
			}
			fmt.Fprintln(out)
		}
	}
	if len(s.Notes) > 0 {
		fmt.Fprintln(out, "notes:")
		for _, f := range s.Notes {
			fmt.Fprintf(out, "  %s [%s] %s", f.Phase, f.Class, f.Message)
			if f.Where != "" {
				fmt.Fprintf(out, " (see %s)", f.Where)
			}
			fmt.Fprintln(out)
		}
	}
	fmt.Fprintln(out, "recommendations:")
	for _, r := range s.Recommendations {
		fmt.Fprintf(out, "  - %s\n", r)
	}
	return nil
}
