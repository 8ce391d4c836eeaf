package lint

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
)

// The lint phase owns one section of FIXES.md, between these lines; the
// rest of the file is the team's (human changes to generated code).
const (
	fixesBegin = "<!-- orchestrate:lint-fixes:begin (written by the lint phase; edit outside these lines) -->"
	fixesEnd   = "<!-- orchestrate:lint-fixes:end -->"
)

// writeFixes replaces the lint section of FIXES.md with the fixes this run
// applied. The section says nothing run-specific (no run id, no time), so
// replaying the same run leaves the file unchanged.
func writeFixes(file string, fixes []Fix) error {
	var sec strings.Builder
	sec.WriteString(fixesBegin + "\n")
	sec.WriteString("## Lint fixes applied by the last run\n\n")
	if len(fixes) == 0 {
		sec.WriteString("None: the analyzers found nothing to fix, or nothing that was fixed survived verification.\n")
	}
	for i, f := range fixes {
		fmt.Fprintf(&sec, "### %d. `%s:%d`: %s\n\n", i+1, f.Finding.File, f.Finding.Line, f.Finding.Message)
		fmt.Fprintf(&sec, "- finding: %s (%s)\n- fixer: %s (%s)\n- why it is safe: %s\n", f.Finding.Analyzer, f.Finding.Source, f.Fixer, f.Kind, f.Safe)
		fmt.Fprintf(&sec, "- findings: %d before, %d after; type errors: %d before, %d after\n\n", f.Counts[0].Findings, f.Counts[1].Findings, f.Counts[0].Broken, f.Counts[1].Broken)
		if p := f.diff; p != "" {
			fmt.Fprintf(&sec, "```diff\n%s```\n\n", p)
		}
	}
	sec.WriteString(fixesEnd + "\n")

	old, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var doc string
	s := string(old)
	i, j := strings.Index(s, fixesBegin), strings.Index(s, fixesEnd)
	switch {
	case len(old) == 0:
		doc = "# Fixes\n\nEvery change made to the generated code after generation, and why: the\nlint phase's fixes (below, rewritten by each run) and changes made by hand.\n\n" + sec.String()
	case i >= 0 && j > i:
		doc = s[:i] + sec.String() + strings.TrimPrefix(s[j+len(fixesEnd):], "\n")
	default:
		doc = strings.TrimRight(s, "\n") + "\n\n" + sec.String()
	}
	if doc == s {
		return nil
	}
	return artifact.WriteAtomic(file, []byte(doc), 0o644)
}
