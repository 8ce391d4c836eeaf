package pipeline

import (
	"fmt"
	"slices"
	"strings"
)

// Selection is --only, --skip and --from.
type Selection struct {
	Only []string
	Skip []string
	From string
}

// UsageError is a selection that cannot be honoured.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Check validates the selection against the pipeline's phases.
func (sel Selection) Check(phases []Phase) error {
	known := make([]string, len(phases))
	for i, p := range phases {
		known[i] = p.Name
	}
	check := func(flag, name string) error {
		if !slices.Contains(known, name) {
			return &UsageError{Msg: fmt.Sprintf("%s: unknown phase %q (phases: %s)", flag, name, strings.Join(known, ", "))}
		}
		return nil
	}
	for _, n := range sel.Only {
		if err := check("--only", n); err != nil {
			return err
		}
		if slices.Contains(sel.Skip, n) {
			return &UsageError{Msg: fmt.Sprintf("phase %q is named by both --only and --skip: choose one", n)}
		}
	}
	for _, n := range sel.Skip {
		if err := check("--skip", n); err != nil {
			return err
		}
	}
	if sel.From != "" {
		if err := check("--from", sel.From); err != nil {
			return err
		}
		if len(sel.Only) > 0 {
			return &UsageError{Msg: "--from and --only cannot be combined: --only already says which phases run"}
		}
	}
	return nil
}

// reason says why phase i is not selected, or "" when it runs.
func (sel Selection) reason(phases []Phase, i int) string {
	name := phases[i].Name
	if len(sel.Only) > 0 && !slices.Contains(sel.Only, name) {
		return "not selected by --only " + strings.Join(sel.Only, ",")
	}
	if slices.Contains(sel.Skip, name) {
		return "skipped by --skip"
	}
	if sel.From != "" {
		for j := 0; j < len(phases) && phases[j].Name != sel.From; j++ {
			if j == i {
				return "before --from " + sel.From
			}
		}
	}
	return ""
}

// SplitPhases parses "a,b, c" into names.
func SplitPhases(v []string) []string {
	var out []string
	for _, s := range v {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
