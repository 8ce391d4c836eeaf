// Package schema is `orchestrate schema`.
package schema

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate schema <document>`.
type Options struct {
	F        *cmdutil.Factory
	Document string // the output document whose schema to print
}

// NewCmdSchema prints the JSON Schemas of orchestrate's outputs; runF
// replaces the work in flag tests.
func NewCmdSchema(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "schema <document>",
		Short: "Print the JSON Schema of an output document",
		Example: `  $ orchestrate schema summary > summary.schema.json
  $ check-jsonschema --schemafile summary.schema.json artifacts/summary-*.json`,
		// Runnable, so that a document it does not know is an error
		// rather than help on stdout and exit 0.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknown(args[0])
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "summary",
		Short:   "Print the JSON Schema (draft 2020-12) of artifacts/summary-*.json",
		Example: "  $ orchestrate schema summary",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Document = "summary"
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Print(opts)
		},
	})
	return cmd
}

// Print writes the schema of opts.Document.
func Print(opts *Options) error {
	if opts.Document != "summary" {
		return unknown(opts.Document)
	}
	_, err := opts.F.IOStreams.Out.Write(summary.Schema)
	return err
}

func unknown(document string) error {
	return cmdutil.FlagErrorf(fmt.Errorf("no schema for %q: the documents are: summary", document))
}
