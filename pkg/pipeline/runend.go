package pipeline

import (
	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// runEnd is the data of the run's run.end record: it binds the summary
// (status, exit code, test counts and a digest of all of it), so an edit
// of the summary after the run fails `orchestrate audit`.
func runEnd(sum *summary.Summary) map[string]any {
	base := map[string]any{"status": string(sum.Status), "exit_code": sum.ExitCode}
	b, err := artifact.MarshalJSON(sum)
	if err != nil {
		return base
	}
	d, err := audit.EndData(b)
	if err != nil {
		return base
	}
	return d
}
