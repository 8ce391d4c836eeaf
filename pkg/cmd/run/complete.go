package run

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
)

// completeFlags makes the shells complete the values of the flags that
// take phases and faults.
func completeFlags(cmd *cobra.Command) {
	var phases []cobra.Completion
	for _, p := range pipeline.Phases() {
		phases = append(phases, cobra.CompletionWithDesc(p.Name, p.What))
	}
	list := phaseList(phases)
	for _, name := range []string{"only", "skip"} {
		_ = cmd.RegisterFlagCompletionFunc(name, list)
	}
	_ = cmd.RegisterFlagCompletionFunc("from", cobra.FixedCompletions(phases, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveKeepOrder))
	faults := []cobra.Completion{cobra.CompletionWithDesc("list", "print the faults with a site in this service")}
	faults = append(faults, testrun.FaultNames()...)
	_ = cmd.RegisterFlagCompletionFunc("inject", cobra.FixedCompletions(faults, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveKeepOrder))
}

// phaseList completes a comma-separated list of phases: the phases not
// named yet, after what is typed up to the last comma.
func phaseList(phases []cobra.Completion) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done := ""
		named := map[string]bool{}
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done = toComplete[:i+1]
			for _, n := range strings.Split(toComplete[:i], ",") {
				named[n] = true
			}
		}
		var out []cobra.Completion
		for _, p := range phases {
			name, _, _ := strings.Cut(p, "\t")
			if !named[name] {
				out = append(out, done+p)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder
	}
}
