package testgen

import (
	"fmt"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// Detail is what the phase did, for the report.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: phase.Testgen}
	d.Facts = append(d.Facts, fmt.Sprintf("acceptance tests: %d example(s) from the spec in `%s/` (%s), compiled: %v", o.Acceptance.Examples, o.Acceptance.Dir, workspace.Count(o.Acceptance.Files), o.Acceptance.Compiled))
	u := o.Unit
	if !u.Enabled {
		d.Facts = append(d.Facts, "unit tests: not generated (phases.unit is off)")
	} else {
		c := u.Counts
		d.Facts = append(d.Facts, fmt.Sprintf("unit tests from the testgen role: %d generated, %d compiled, %d passed, %d kept, %d dropped, %d file(s) repaired", c.Generated, c.Compiled, c.Passed, c.Kept, c.Dropped, c.Repaired))
		d.AI = fmt.Sprintf("proposed %d unit test(s): %d kept, %d dropped", c.Generated, c.Kept, c.Dropped)
		if u.CoverageBefore != nil && u.CoverageAfter != nil {
			d.Facts = append(d.Facts, fmt.Sprintf("statement coverage of the service: %.1f%% without them, %.1f%% with them", *u.CoverageBefore, *u.CoverageAfter))
		}
		for _, x := range u.Dropped {
			d.Facts = append(d.Facts, fmt.Sprintf("dropped %s in %s (%s): see %s", x.Test, x.File, x.Reason, x.Output))
		}
		if nr := u.NotRegenerated; nr != nil {
			d.Facts = append(d.Facts, nr.Line()+"; the question is kept in `"+nr.Prompt+"`")
		}
		for _, r := range u.Refused {
			d.Facts = append(d.Facts, fmt.Sprintf("refused to write `%s`: %s", r.Path, r.Reason))
		}
	}
	for _, h := range o.HandEdited {
		d.Facts = append(d.Facts, fmt.Sprintf("`%s` was edited by hand: kept", h))
	}
	d.Changes = phase.Patches(o.Patches, func(int, string) (string, string) {
		return "generated tests", "tests written by the phase; unit tests only where they compiled and passed against the service"
	})
	return d
}
