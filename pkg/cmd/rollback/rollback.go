// Package rollback is `orchestrate rollback`.
package rollback

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/release"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate rollback`.
type Options struct {
	F         *cmdutil.Factory
	Service   string
	Reason    string
	By        string
	Artifacts string
	Host      string
}

// NewCmdRollback makes a service's previous release the stable one again.
func NewCmdRollback(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "rollback SERVICE --reason TEXT",
		Short: "Make a service's previous release the stable one again",
		Long: heredoc.Doc(`
			A run whose tests pass tags its image as the service's stable release
			(orchestrate-release/SERVICE:stable) and keeps the one before as
			:previous. rollback makes :previous the stable release again (the one
			it replaces is tagged :rolled-back) and records who did it and why in
			an audit log of its own under artifacts/releases/.
		`),
		Example: `  $ orchestrate rollback deploy-notifier --reason "p99 doubled in staging"`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Service = args[0]
			if strings.TrimSpace(opts.Reason) == "" {
				return cmdutil.FlagErrorf(fmt.Errorf("say why with --reason: it is recorded with the rollback"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Rollback(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why (recorded)")
	cmd.Flags().StringVar(&opts.By, "by", "", "who (default: git config user.email)")
	cmd.Flags().StringVar(&opts.Artifacts, "artifacts", "artifacts", "artifacts `DIR` the record goes under")
	cmd.Flags().StringVar(&opts.Host, "docker-host", "", "Docker endpoint (default DOCKER_HOST)")
	return cmd
}

// Rollback does it.
func Rollback(ctx context.Context, opts *Options) error {
	by := opts.By
	if by == "" {
		if b, err := exec.CommandContext(ctx, "git", "config", "user.email").Output(); err == nil {
			by = strings.TrimSpace(string(b))
		}
	}
	if by == "" {
		by = "unknown (no --by, no git user.email)"
	}
	m, err := release.Rollback(ctx, opts.Host, opts.Artifacts, release.Manual{Service: opts.Service, Reason: opts.Reason, By: by}, opts.F.Now)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("rollback %s: %w", opts.Service, err)}
	}
	fmt.Fprintf(opts.F.IOStreams.Out, "%s: stable is now %s (was %s, tagged :rolled-back)\nrecorded in %s (audit head %s)\n",
		opts.Service, m.To, m.From, m.Log, m.Head)
	return nil
}
