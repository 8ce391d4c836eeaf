// Package audit is `orchestrate audit`.
package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	auditlog "github.com/orchestrate-dev/orchestrate/pkg/audit"
	runscmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/runs"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate audit`.
type Options struct {
	F          *cmdutil.Factory
	ConfigFile string
	Artifacts  string
	RunID      string
	Head       string // a head kept outside the run
}

// NewCmdAudit verifies a run's audit log.
func NewCmdAudit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "audit <run-id>",
		Short: "Verify a run's audit log and the files it records",
		Long: heredoc.Doc(`
			Verify the run directory <artifacts>/<run-id> (the one this command
			finds, never a path written in the summary): the hash chain of
			events.jsonl is unbroken; the run ended (a run.end record); every
			file a record names still has the recorded SHA-256 and no other file
			is there; the summary's audit_head is the log's head, and its status,
			exit code, test counts and content are those the run.end record
			binds. Exits 1 naming the first problem.

			The log and the summary sit beside each other: someone who can
			rewrite both can recompute the whole chain. Keep the head outside
			the run to catch that: the run prints it at the end (keep it in the
			CI log) and --head checks it; or set ORCHESTRATE_AUDIT_KEY for the
			run, which signs the head (events.jsonl.hmac), and for the audit,
			which checks the signature.
		`),
		Example: heredoc.Doc(`
			$ orchestrate audit 20261120T224100Z-1a2b3c
			$ orchestrate audit 20261120T224100Z-1a2b3c --head 3f5a9c0e1b2d
		`),
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Audit(opts)
		},
	}
	runscmd.AddLocationFlags(cmd, &opts.ConfigFile, &opts.Artifacts)
	cmd.ValidArgsFunction = runscmd.CompleteRunIDs(&opts.ConfigFile, &opts.Artifacts)
	cmd.Flags().StringVar(&opts.Head, "head", "", "the log's head `HASH` (at least 12 hex digits) as kept outside the run")
	return cmd
}

// Audit verifies the run.
func Audit(opts *Options) error {
	ios := opts.F.IOStreams
	if err := artifact.ValidRunID(opts.RunID); err != nil {
		return cmdutil.FlagErrorf(err)
	}
	arts := locate.Artifacts(locate.Cwd(), opts.ConfigFile, opts.Artifacts)
	runDir, err := filepath.Abs(filepath.Join(arts, opts.RunID))
	if err != nil {
		return cmdutil.FlagErrorf(err)
	}
	fmt.Fprintf(ios.ErrOut, "verifying run directory %s\n", runDir)
	a := auditlog.Anchor{RunID: opts.RunID, Head: opts.Head}
	if k := opts.F.Getenv(auditlog.KeyEnv); k != "" {
		a.Key = []byte(k)
	}
	if e, err := summary.Find(arts, opts.RunID); err == nil {
		if a.Summary, err = os.ReadFile(e.Path); err != nil {
			return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("audit: %w", err)}
		}
		if d := e.Summary.ArtifactsDir; d != "" && filepath.Clean(d) != runDir {
			fmt.Fprintf(ios.ErrOut, "note: the summary names %s as the run directory; it is not what is verified\n", d)
		}
	} else {
		fmt.Fprintf(ios.ErrOut, "warning: %v; checking the log without a summary to compare\n", err)
	}
	res, warns, err := auditlog.VerifyRun(runDir, a)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("audit FAILED for run %s: %w", opts.RunID, err)}
	}
	for _, w := range warns {
		fmt.Fprintf(ios.ErrOut, "warning: %s\n", w)
	}
	anchored := "no anchor outside the run (see --head, " + auditlog.KeyEnv + ")"
	switch {
	case a.Key != nil && opts.Head != "":
		anchored = "signed head and --head verified"
	case a.Key != nil:
		anchored = "signed head verified"
	case opts.Head != "":
		anchored = "--head verified"
	}
	fmt.Fprintf(ios.Out, "audit OK: run %s, %d records, %d files verified, head %s; %s\n", opts.RunID, res.Records, res.Files, res.Head, anchored)
	printApprovals(ios.Out, filepath.Join(runDir, artifact.EventsFile))
	return nil
}
