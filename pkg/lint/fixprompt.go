package lint

import (
	"bytes"
	"go/format"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/gosrc"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// FixPrompt is the lint.fix prompt for the findings at one place of a
// file (they share its file and line), with the file's content and the
// module's Go version.
func FixPrompt(src []byte, findings []Finding, goVersion string) (llm.Prompt, error) {
	pt, err := prompts.Load("lint.fix")
	if err != nil {
		return llm.Prompt{}, err
	}
	first := findings[0]
	sn := contextOf(first.File, src, first.Line)
	return pt.Render(fixData{Path: first.File, Findings: findings, Line: first.Line, GoVersion: goVersion,
		Imports: sn.imports, Decl: sn.decl, From: sn.from, To: sn.to})
}

// fixData is what prompts/lint.fix.md is rendered from.
type fixData struct {
	Path          string
	Findings      []Finding
	Line          int
	GoVersion     string
	Imports, Decl string // the file's import block and the declaration around the place
	From, To      int
}

// moduleGo is the go directive of the module in dir, or "" when its
// go.mod cannot be read.
func moduleGo(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	return gosrc.GoDirective(b)
}

// buildFix turns the fixer's edits into a change. Line-number gutters a
// model copied from the excerpt are taken off first, and each Go file
// that was gofmt-formatted before the edit is formatted after it, so an
// edit's spacing never adds a gofmt finding.
func buildFix(workdir string, edits []change.Edit) (change.Set, error) {
	edits = stripGutters(workdir, edits)
	set, err := change.Build(workdir, edits, nil)
	if err != nil {
		return set, err
	}
	for i, f := range set.Files {
		if path.Ext(f.Path) != ".go" || f.Before == nil || f.After == nil {
			continue
		}
		if b, err := format.Source(f.Before); err != nil || !bytes.Equal(b, f.Before) {
			continue
		}
		if b, err := format.Source(f.After); err == nil {
			set.Files[i].After = b
		}
	}
	return set, nil
}

// gutterRe is the line-number gutter contextOf puts before each line.
var gutterRe = regexp.MustCompile(`^ *[0-9]+\| ?`)

// stripGutters takes the "69| " gutters off an edit whose old text has
// one on every line and, as written, is not in the file: the model copied
// the excerpt's numbers. The new text loses the gutters it has too.
func stripGutters(workdir string, edits []change.Edit) []change.Edit {
	out := make([]change.Edit, len(edits))
	for i, e := range edits {
		out[i] = e
		if !guttered(e.Old) || !filepath.IsLocal(filepath.FromSlash(e.Path)) {
			continue
		}
		src, err := os.ReadFile(filepath.Join(workdir, filepath.FromSlash(e.Path)))
		if err != nil || strings.Contains(string(src), e.Old) {
			continue
		}
		out[i].Old, out[i].New = unGutter(e.Old), unGutter(e.New)
	}
	return out
}

func guttered(s string) bool {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !gutterRe.MatchString(l) {
			return false
		}
		n++
	}
	return n > 0
}

func unGutter(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = gutterRe.ReplaceAllString(l, "")
	}
	return strings.Join(lines, "\n")
}
