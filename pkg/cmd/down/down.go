// Package down is `orchestrate down`.
package down

import (
	"bufio"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	runscmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/runs"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate down`.
type Options struct {
	F          *cmdutil.Factory
	RunID      string
	All        bool
	Yes        bool
	Host       string
	ConfigFile string
	Artifacts  string
}

// NewCmdDown removes what a kept or crashed run left in Docker.
func NewCmdDown(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "down [RUN-ID]",
		Short: "Remove the containers, network and image runs left (after --keep, or a crash)",
		Long: heredoc.Doc(`
			Remove every container, network and image labelled with a run's id
			(dev.orchestrate.run).

			With no run id: the runs of this workdir that left containers, the ones
			` + "`orchestrate runs`" + ` lists with containers left. With --all: everything
			orchestrate created on this daemon, whatever the workdir; on a terminal
			it asks first, unless --yes.
		`),
		Example: "  $ orchestrate down\n  $ orchestrate down 20261120T224100Z-1a2b3c\n  $ orchestrate down --all --yes",
		Args:    cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.RunID = args[0]; strings.TrimSpace(opts.RunID) == "" {
					return cmdutil.FlagErrorf(fmt.Errorf("the run id is empty: name one (see `orchestrate runs`), or give none for this workdir's runs"))
				}
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
	cmd.Flags().BoolVar(&opts.All, "all", false, "remove everything orchestrate created on the daemon, whatever the run or workdir")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before --all")
	cmd.Flags().StringVar(&opts.Host, "docker-host", "", "Docker endpoint (default DOCKER_HOST)")
	runscmd.AddLocationFlags(cmd, &opts.ConfigFile, &opts.Artifacts)
	cmd.ValidArgsFunction = runscmd.CompleteRunIDs(&opts.ConfigFile, &opts.Artifacts)
	return cmd
}

// Down removes by label.
func Down(ctx context.Context, opts *Options) error {
	ios := opts.F.IOStreams
	if opts.All && !opts.Yes && ios.IsStdinTTY() && ios.IsStderrTTY() && !confirm(opts) {
		fmt.Fprintln(ios.ErrOut, "nothing removed")
		return cmdutil.ErrSilent
	}
	eng, err := docker.Connect(ctx, opts.Host)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: err}
	}
	defer eng.Close()
	ids, err := targets(ctx, opts, eng)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: err}
	}
	var first error
	for _, id := range ids {
		if err := remove(ctx, opts, eng, id); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// targets are the run ids to remove: the one named, all ("" for Down), or
// the workdir's runs that left containers.
func targets(ctx context.Context, opts *Options, eng *docker.Engine) ([]string, error) {
	if opts.RunID != "" || opts.All {
		return []string{opts.RunID}, nil
	}
	dir := locate.Artifacts(locate.Cwd(), opts.ConfigFile, opts.Artifacts)
	left, err := eng.Leftovers(ctx)
	if err != nil {
		return nil, err
	}
	entries, _ := summary.List(dir)
	var ids []string
	for _, e := range entries {
		if left[e.Summary.RunID] > 0 {
			ids = append(ids, e.Summary.RunID)
		}
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		fmt.Fprintf(opts.F.IOStreams.Out, "nothing to remove: no run in %s left containers (`orchestrate down --all` removes every run's)\n", dir)
	}
	return ids, nil
}

func remove(ctx context.Context, opts *Options, eng *docker.Engine, id string) error {
	out := opts.F.IOStreams.Out
	rm, err := eng.Down(ctx, id)
	for _, l := range []struct {
		what  string
		names []string
	}{{"container", rm.Containers}, {"network", rm.Networks}, {"image", rm.Images}} {
		for _, n := range l.names {
			fmt.Fprintf(out, "removed %s %s\n", l.what, n)
		}
	}
	if n := len(rm.Containers) + len(rm.Networks) + len(rm.Images); n == 0 && err == nil {
		fmt.Fprintf(out, "nothing to remove for %s\n", orAll(id))
	}
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("down %s: %w", orAll(id), err)}
	}
	return nil
}

// confirm asks on the terminal before removing every run's objects.
func confirm(opts *Options) bool {
	ios := opts.F.IOStreams
	fmt.Fprint(ios.ErrOut, "Remove every container, network and image orchestrate created on this Docker daemon, from any workdir? [y/N] ")
	line, _ := bufio.NewReader(ios.In).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

func orAll(id string) string {
	if strings.TrimSpace(id) == "" {
		return "all runs"
	}
	return "run " + id
}
