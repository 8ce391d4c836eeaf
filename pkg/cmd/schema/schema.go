// Package schema is `orchestrate schema`.
package schema

import (
	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// NewCmdSchema prints the JSON Schemas of orchestrate's outputs.
func NewCmdSchema(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema <document>",
		Short: "Print the JSON Schema of an output document",
		Example: `  $ orchestrate schema summary > summary.schema.json
  $ check-jsonschema --schemafile summary.schema.json artifacts/summary-*.json`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "summary",
		Short:   "Print the JSON Schema (draft 2020-12) of artifacts/summary-*.json",
		Example: "  $ orchestrate schema summary",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := f.IOStreams.Out.Write(summary.Schema)
			return err
		},
	})
	return cmd
}
