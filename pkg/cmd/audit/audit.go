// Package audit is `orchestrate audit`.
package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	auditlog "github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate audit`.
type Options struct {
	F         *cmdutil.Factory
	Artifacts string
	RunID     string
}

// NewCmdAudit verifies a run's audit log.
func NewCmdAudit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "audit <run-id>",
		Short: "Verify a run's audit log and the files it records",
		Long: `Verify artifacts/<run-id>/events.jsonl: the hash chain is unbroken, its head
matches the audit_head in the run's summary, and every file an event names
still has the recorded SHA-256. Exits 1 naming the first bad record.`,
		Example: "  $ orchestrate audit 20261120T224100Z-1a2b3c",
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Audit(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Artifacts, "artifacts", "artifacts", "artifacts `DIR`")
	return cmd
}

// Audit verifies the run.
func Audit(opts *Options) error {
	ios := opts.F.IOStreams
	if err := artifact.ValidRunID(opts.RunID); err != nil {
		return cmdutil.FlagErrorf(err)
	}
	runDir := filepath.Join(opts.Artifacts, opts.RunID)
	head := ""
	if e, err := summary.Find(opts.Artifacts, opts.RunID); err == nil {
		head = e.Summary.AuditHead
		if e.Summary.ArtifactsDir != "" {
			if _, err := os.Stat(e.Summary.ArtifactsDir); err == nil {
				runDir = e.Summary.ArtifactsDir
			}
		}
	} else {
		fmt.Fprintf(ios.ErrOut, "warning: %v; checking the chain without a head to compare\n", err)
	}
	f, err := os.Open(filepath.Join(runDir, artifact.EventsFile))
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("audit: %w", err)}
	}
	defer f.Close()
	res, err := auditlog.Verify(f, runDir, head)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("audit FAILED for run %s: %w", opts.RunID, err)}
	}
	fmt.Fprintf(ios.Out, "audit OK: run %s, %d records, %d files verified, head %s\n", opts.RunID, res.Records, res.Files, res.Head)
	printApprovals(ios.Out, filepath.Join(runDir, artifact.EventsFile))
	return nil
}
