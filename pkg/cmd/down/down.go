// Package down is `orchestrate down`.
package down

import (
	"context"
	"fmt"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate down`.
type Options struct {
	F     *cmdutil.Factory
	RunID string
	All   bool
	Host  string
}

// NewCmdDown removes what a kept or crashed run left in Docker.
func NewCmdDown(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "down [RUN-ID]",
		Short: "Remove the containers, network and image a run left (after --keep, or a crash)",
		Long: heredoc.Doc(`
			Remove every container, network and image labelled with the run's id
			(dev.orchestrate.run). With --all, everything orchestrate created on
			this daemon.
		`),
		Example: "  $ orchestrate down 20261120T224100Z-1a2b3c\n  $ orchestrate down --all",
		Args:    cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.RunID = args[0]
			}
			if opts.RunID == "" && !opts.All {
				return cmdutil.FlagErrorf(fmt.Errorf("name a run id, or pass --all"))
			}
			if opts.RunID != "" && opts.All {
				return cmdutil.FlagErrorf(fmt.Errorf("a run id and --all exclude each other"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Down(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "remove everything orchestrate created, whatever the run")
	cmd.Flags().StringVar(&opts.Host, "docker-host", "", "Docker endpoint (default DOCKER_HOST)")
	return cmd
}

// Down removes by label.
func Down(ctx context.Context, opts *Options) error {
	ios := opts.F.IOStreams
	eng, err := docker.Connect(ctx, opts.Host)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: err}
	}
	defer eng.Close()
	rm, err := eng.Down(ctx, opts.RunID)
	for _, l := range []struct {
		what  string
		names []string
	}{{"container", rm.Containers}, {"network", rm.Networks}, {"image", rm.Images}} {
		for _, n := range l.names {
			fmt.Fprintf(ios.Out, "removed %s %s\n", l.what, n)
		}
	}
	if n := len(rm.Containers) + len(rm.Networks) + len(rm.Images); n == 0 && err == nil {
		fmt.Fprintf(ios.Out, "nothing to remove for %s\n", orAll(opts.RunID))
	}
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("down %s: %w", orAll(opts.RunID), err)}
	}
	return nil
}

func orAll(id string) string {
	if strings.TrimSpace(id) == "" {
		return "all runs"
	}
	return "run " + id
}
