// Package triagecmd is `orchestrate triage`: the deterministic classifier
// on a log from anywhere.
package triagecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Options of `orchestrate triage`.
type Options struct {
	F    *cmdutil.Factory
	Log  string
	JSON bool
}

// NewCmdTriage classifies the failures in a log.
func NewCmdTriage(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "triage --log FILE",
		Short: "Classify the failures in a log: go test (plain or -json), go build, docker build, container logs",
		Long: heredoc.Doc(`
			Read a log from anywhere (a failed CI job, a container, a colleague's
			terminal) and print each failure the deterministic classifier finds:
			class, owner, signature, location and the lines that matter. The
			signature is stable across runs and machines (durations, ports,
			addresses, temporary paths are normalised), so two logs with the same
			failure give the same signature. --log - reads standard input.
		`),
		Example: "  $ go test -json ./... > test.log; orchestrate triage --log test.log\n  $ docker logs my-service 2>&1 | orchestrate triage --log - --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Log == "" {
				return cmdutil.FlagErrorf(fmt.Errorf("--log FILE is required (- for standard input)"))
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Log, "log", "", "the log `FILE`, or - for standard input")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the failures as JSON")
	return cmd
}

// Report is what `orchestrate triage --json` prints.
type Report struct {
	Log      string           `json:"log"`
	Kind     triage.Kind      `json:"kind"`
	Failures []triage.Failure `json:"failures"`
}

// Run classifies the log.
func Run(_ context.Context, opts *Options) error {
	ios := opts.F.IOStreams
	var b []byte
	var err error
	if opts.Log == "-" {
		b, err = io.ReadAll(io.LimitReader(ios.In, 256<<20))
	} else {
		b, err = os.ReadFile(opts.Log)
	}
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitUsage, Err: fmt.Errorf("read the log: %w", err)}
	}
	text := string(b)
	rep := Report{Log: opts.Log, Kind: triage.Detect(text), Failures: triage.Classify(text)}
	if rep.Failures == nil {
		rep.Failures = []triage.Failure{}
	}
	if opts.JSON {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(ios.Out, "%s: a %s log, %d failure(s)\n", opts.Log, rep.Kind, len(rep.Failures))
	for i, f := range rep.Failures {
		fmt.Fprintf(ios.Out, "\n%d. %s (owner: %s) at %s\n", i+1, f.Class, f.Owner, f.Where())
		if f.Test != "" {
			fmt.Fprintf(ios.Out, "   test: %s %s\n", f.Package, f.Test)
		}
		fmt.Fprintf(ios.Out, "   message: %s\n   signature: %s\n   evidence:\n", f.Message, f.Signature)
		for _, l := range f.Evidence {
			fmt.Fprintf(ios.Out, "     | %s\n", strings.TrimRight(l, "\n"))
		}
	}
	return nil
}
