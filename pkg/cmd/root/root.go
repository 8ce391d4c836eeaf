// Package root assembles the orchestrate command tree.
package root

import (
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	approvecmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/approve"
	auditcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/audit"
	configcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/config"
	doctorcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/doctor"
	downcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/down"
	mergecmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/merge"
	"github.com/orchestrate-dev/orchestrate/pkg/cmd/reviewcmd"
	rollbackcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/rollback"
	runcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/run"
	runscmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/runs"
	schemacmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/schema"
	showcmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/show"
	"github.com/orchestrate-dev/orchestrate/pkg/cmd/triagecmd"
	versioncmd "github.com/orchestrate-dev/orchestrate/pkg/cmd/version"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
)

// NewCmdRoot returns `orchestrate` with every subcommand.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "orchestrate <command>",
		Short: "Make several AI tools deliver a small containerised service, reproducibly",
		Long: heredoc.Docf(`
			orchestrate runs a pipeline of phases over a service spec (orchestrate.yaml):
			%s.
			Every prompt, response, diff, log and decision of a run is kept under
			artifacts/<run-id>/, hash-chained in events.jsonl, and summarised in
			artifacts/summary-<UTC timestamp>.json.
		`, strings.Join(pipeline.Names(), ", ")),
		Example: heredoc.Doc(`
			$ orchestrate run --offline
			$ orchestrate runs
			$ orchestrate audit 20261120T224100Z-1a2b3c
		`),
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
	}
	// --version prints what `orchestrate version` prints.
	cmd.SetVersionTemplate(strings.ReplaceAll(versioncmd.Line("{{.Version}}"), "%", "%%") + "\n")
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	cmd.AddCommand(
		runcmd.NewCmdRun(f, nil),
		runscmd.NewCmdRuns(f, nil),
		showcmd.NewCmdShow(f, nil),
		auditcmd.NewCmdAudit(f, nil),
		approvecmd.NewCmdApprove(f, nil),
		reviewcmd.NewCmdReview(f, nil),
		downcmd.NewCmdDown(f, nil),
		mergecmd.NewCmdMerge(f, nil),
		rollbackcmd.NewCmdRollback(f, nil),
		triagecmd.NewCmdTriage(f, nil),
		schemacmd.NewCmdSchema(f, nil),
		configcmd.NewCmdConfig(f, nil),
		doctorcmd.NewCmdDoctor(f, nil),
		versioncmd.NewCmdVersion(f, nil),
	)
	strictCompletion(cmd)
	return cmd
}
