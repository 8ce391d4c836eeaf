// Package approve is `orchestrate approve`.
package approve

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/review"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate approve`.
type Options struct {
	F         *cmdutil.Factory
	Artifacts string
	RunID     string
	Reason    string
	By        string
}

// NewCmdApprove records a human's approval of a change the review gate held.
func NewCmdApprove(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "approve <run-id> --reason \"…\"",
		Short: "Approve a change the review gate held, with the reason, in the run's audit chain",
		Long: `Record that a human approves the change run <run-id> held before deploy
(status needs_approval, exit 4): who (--by, or git config user.name and
user.email), when, why (--reason, required) and the change's SHA-256 are
appended to the run's hash-chained audit log, which must verify first.
Then ` + "`orchestrate run --resume <run-id>`" + ` deploys and tests the same change.
` + "`orchestrate audit <run-id>`" + ` verifies the approval; editing it breaks the chain.`,
		Example: `  $ orchestrate approve 20261121T230000Z-1a2b3c --reason "the token is a test fixture, rotated"`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Approve(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Artifacts, "artifacts", "artifacts", "artifacts `DIR`")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the change may be deployed (required)")
	cmd.Flags().StringVar(&opts.By, "by", "", "who approves (default: git config user.name <user.email>)")
	return cmd
}

// Approve records the approval.
func Approve(ctx context.Context, opts *Options) error {
	if strings.TrimSpace(opts.Reason) == "" {
		return cmdutil.FlagErrorf(review.ErrNoReason)
	}
	by := opts.By
	if by == "" {
		by = gitUser(ctx)
	}
	rec, err := review.Approve(opts.Artifacts, opts.RunID, by, opts.Reason, opts.F.Now)
	if errors.Is(err, review.ErrNoReason) {
		return cmdutil.FlagErrorf(err)
	}
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("approve: %w", err)}
	}
	fmt.Fprintf(opts.F.IOStreams.Out, "approved run %s by %s (audit record %d, %s)\nnext: orchestrate run --resume %s\n", opts.RunID, by, rec.Seq, rec.Hash[:12], opts.RunID)
	return nil
}

// gitUser is "name <email>" from git config, or "".
func gitUser(ctx context.Context) string {
	get := func(k string) string {
		out, err := exec.CommandContext(ctx, "git", "config", k).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	name, mail := get("user.name"), get("user.email")
	switch {
	case name != "" && mail != "":
		return name + " <" + mail + ">"
	case name != "":
		return name
	}
	return mail
}
