// Package runs is `orchestrate runs`.
package runs

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate runs`.
type Options struct {
	F          *cmdutil.Factory
	ConfigFile string
	Artifacts  string
	// Leftovers counts, by run id, the containers runs left in Docker;
	// nil in flag tests.
	Leftovers func(ctx context.Context) (map[string]int, error)
}

// NewCmdRuns lists past runs.
func NewCmdRuns(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the workdir's runs, newest first, and which left containers",
		Long: heredoc.Doc(`
			List the runs of this workdir, newest first: id, start, status, duration,
			failures, and the containers a run left in Docker (after --keep, or a
			crash), which ` + "`orchestrate down`" + ` removes.

			The workdir is the directory of orchestrate.yaml, found from the current
			directory upward (or --config); its runs are in artifacts/ there (or
			--artifacts), as ` + "`orchestrate run`" + ` writes them.
		`),
		Example: "  $ orchestrate runs\n  $ cd service && orchestrate runs\n  $ orchestrate runs --artifacts ci-artifacts",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			opts.Leftovers = DockerLeftovers("")
			return List(cmd.Context(), opts)
		},
	}
	AddLocationFlags(cmd, &opts.ConfigFile, &opts.Artifacts)
	return cmd
}

// AddLocationFlags declares --config and --artifacts, which say where
// runs are the way `orchestrate run` does.
func AddLocationFlags(cmd *cobra.Command, configFile, artifacts *string) {
	cmd.Flags().StringVar(configFile, "config", "", "config `FILE` whose workdir's runs to read (default: orchestrate.yaml, here or above)")
	cmd.Flags().StringVar(artifacts, "artifacts", "", "artifacts `DIR` (default: artifacts/ in the workdir)")
}

// DockerLeftovers asks the daemon at host, briefly, which runs left
// containers.
func DockerLeftovers(host string) func(context.Context) (map[string]int, error) {
	return func(ctx context.Context) (map[string]int, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return docker.Leftovers(ctx, host)
	}
}

// List prints one line per run.
func List(ctx context.Context, opts *Options) error {
	ios := opts.F.IOStreams
	dir := locate.Artifacts(locate.Cwd(), opts.ConfigFile, opts.Artifacts)
	entries, errs := summary.List(dir)
	for _, err := range errs {
		fmt.Fprintf(ios.ErrOut, "orchestrate: skipping unreadable summary: %v\n", err)
	}
	if len(entries) == 0 {
		fmt.Fprintf(ios.ErrOut, "no runs in %s (run `orchestrate run` first, or pass --artifacts)\n", dir)
		return nil
	}
	left, lerr := leftovers(ctx, opts)
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN ID\tSTARTED (UTC)\tSTATUS\tDURATION\tFAILURES\tCONTAINERS")
	for _, e := range entries {
		s := e.Summary
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1fs\t%d\t%s\n", s.RunID, s.StartedAt.UTC().Format("2006-01-02 15:04:05"), s.Status, s.TimeTakenSeconds, len(s.Failures), containers(left, lerr, s.RunID))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case lerr != nil:
		fmt.Fprintln(ios.ErrOut, "orchestrate: the Docker daemon did not answer: cannot tell which runs left containers (`orchestrate doctor` says why)")
	case anyLeft(left, entries):
		fmt.Fprintln(ios.ErrOut, "`orchestrate down` removes the containers these runs left.")
	}
	return nil
}

func leftovers(ctx context.Context, opts *Options) (map[string]int, error) {
	if opts.Leftovers == nil {
		return map[string]int{}, nil
	}
	return opts.Leftovers(ctx)
}

func containers(left map[string]int, err error, id string) string {
	switch {
	case err != nil:
		return "?"
	case left[id] > 0:
		return fmt.Sprintf("%d left", left[id])
	}
	return "-"
}

func anyLeft(left map[string]int, entries []summary.Entry) bool {
	for _, e := range entries {
		if left[e.Summary.RunID] > 0 {
			return true
		}
	}
	return false
}

// CompleteRunIDs completes a run id argument from the runs the location
// flags point at, newest first.
func CompleteRunIDs(configFile, artifacts *string) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		entries, _ := summary.List(locate.Artifacts(locate.Cwd(), *configFile, *artifacts))
		var ids []cobra.Completion
		for _, e := range entries {
			ids = append(ids, cobra.CompletionWithDesc(e.Summary.RunID, string(e.Summary.Status)))
		}
		return ids, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}
