package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
)

// strictCompletion makes `orchestrate completion <shell>` refuse a shell
// it has no script for (exit 2) instead of printing help and exiting 0.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, s := range c.Commands() {
			shells = append(shells, s.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.ValidArgs = shells
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return cmdutil.FlagErrorf(fmt.Errorf("no completion for shell %q: the shells are %s", args[0], strings.Join(shells, ", ")))
		}
	}
}
