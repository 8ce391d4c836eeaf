package scaffold

import (
	"fmt"
	"path"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// Detail is what the phase did, for the report.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: phase.Scaffold}
	d.Facts = append(d.Facts, fmt.Sprintf("%d file(s) in `%s/` from the templates and the codegen role: %s", len(o.Files), o.Dir, workspace.Count(o.Files)))
	build := fmt.Sprintf("compile check: ok after %d attempt(s)", o.Build.Attempts)
	if !o.Build.OK {
		build = fmt.Sprintf("compile check: failed after %d attempt(s); compiler output in %s", o.Build.Attempts, strings.Join(o.Build.Logs, ", "))
	}
	d.Facts = append(d.Facts, build)
	for _, h := range o.HandEdited {
		d.Facts = append(d.Facts, fmt.Sprintf("`%s` was edited by hand: kept, the generated version is beside it", h))
	}
	for _, r := range o.Refused {
		d.Facts = append(d.Facts, fmt.Sprintf("refused to write `%s`: %s", r.Path, r.Reason))
	}
	if o.Notes != "" {
		d.Facts = append(d.Facts, "design notes in the codegen answer: "+o.Notes)
	}
	var fromModel []workspace.Change
	for _, f := range o.Files {
		if strings.HasPrefix(f.Source, "model: ") {
			fromModel = append(fromModel, f)
		}
	}
	if len(fromModel) > 0 {
		d.AI = fmt.Sprintf("wrote the handlers: %d file(s) in `%s/` (%s), compiled after %d attempt(s)", len(fromModel), o.Dir, workspace.Count(fromModel), o.Build.Attempts)
	}
	d.Changes = phase.Patches(o.Patches, func(i int, p string) (string, string) {
		if strings.Contains(path.Base(p), "repair") {
			return "compile repair", "the first answer did not compile; the codegen role was asked again with the compiler's output"
		}
		return "generated service code", "the codegen role's answer, written over what the service directory held before"
	})
	return d
}
