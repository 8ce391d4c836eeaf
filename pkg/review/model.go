package review

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// Role is the model role that reviews a change.
const Role = "review"

// Answer is the review role's answer.
type Answer struct {
	RiskScore           float64 `json:"risk_score" schema:"minimum=0,maximum=10"`
	SecurityFindings    []Item  `json:"security_findings"`
	PerformanceConcerns []Item  `json:"performance_concerns"`
	CoverageGaps        []Item  `json:"coverage_gaps"`
	BreakingChanges     []Item  `json:"breaking_changes"`
	AutoApprovable      bool    `json:"auto_approvable"`
	Rationale           string  `json:"rationale" schema:"minLength=1"`
	Confidence          float64 `json:"confidence" schema:"minimum=0,maximum=1"`
	Evidence            []Item  `json:"evidence"`
}

// Item is one point of an answer, tied to a place in the change.
type Item struct {
	File string `json:"file"`
	Line int    `json:"line" schema:"minimum=0"`
	Note string `json:"note"`
}

// Schema is the JSON Schema of Answer: closed objects, the item described
// once.
var Schema = llm.SchemaOf[Answer](llm.Closed(), llm.Defs())

// Items is every item of the answer with the list it is in.
func (a Answer) Items() map[string][]Item {
	return map[string][]Item{"security_findings": a.SecurityFindings, "performance_concerns": a.PerformanceConcerns,
		"coverage_gaps": a.CoverageGaps, "breaking_changes": a.BreakingChanges, "evidence": a.Evidence}
}

// OutsideDiff lists the items that name a file the change does not touch
// or a line outside every hunk shown: an answer about code it was not
// shown is not a review of this change.
func (a Answer) OutsideDiff(c Change) []string {
	var bad []string
	for _, list := range []string{"security_findings", "performance_concerns", "coverage_gaps", "breaking_changes", "evidence"} {
		for _, it := range a.Items()[list] {
			if !c.Shows(it.File, it.Line) {
				bad = append(bad, fmt.Sprintf("%s names %s:%d", list, it.File, it.Line))
			}
		}
	}
	return bad
}

// Shows reports whether line of file is inside a hunk of the change (its
// new version); line 0 is the file as a whole.
func (c Change) Shows(file string, line int) bool {
	for _, f := range c.Files {
		if f.Path != file {
			continue
		}
		if line == 0 {
			return true
		}
		for _, h := range f.Hunks {
			if line >= h.NewStart && line < h.NewStart+max(h.NewLines, 1) {
				return true
			}
		}
	}
	return false
}

// Section is one file of a prompt: its hunks and, budget allowing, the
// functions around them.
type Section struct {
	Path, Status   string
	Hunks, Context string
}

// promptData is what prompts/review.risk.md is rendered from.
type promptData struct {
	Service, Base         string
	Files, Added, Removed int
	Part, Parts           int
	Findings              []Finding
	Sections              []Section
}

// Parts splits the change into sections, each part's hunks within budget
// bytes; the functions around the hunks are added while the part stays
// within it. A single hunk over the budget cannot be shown: ok is false.
func Parts(c Change, read source, budget int) (parts [][]Section, ok bool) {
	var cur []Section
	size := 0
	for _, f := range c.Files {
		for _, h := range f.Hunks {
			if len(h.Text) > budget {
				return nil, false
			}
			if size+len(h.Text) > budget && len(cur) > 0 {
				parts, cur, size = append(parts, cur), nil, 0
			}
			if n := len(cur); n > 0 && cur[n-1].Path == f.Path {
				cur[n-1].Hunks += h.Text
			} else {
				cur = append(cur, Section{Path: f.Path, Status: f.Status, Hunks: h.Text})
			}
			size += len(h.Text)
		}
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	for _, p := range parts {
		addContext(p, c, read, budget)
	}
	return parts, true
}

// addContext adds to each Go section the declarations its hunks touch,
// numbered, while the part's size stays within budget.
func addContext(p []Section, c Change, read source, budget int) {
	size := 0
	for _, s := range p {
		size += len(s.Hunks) + len(s.Path) + 64
	}
	for i := range p {
		if !strings.HasSuffix(p[i].Path, ".go") || p[i].Status == "deleted" {
			continue
		}
		src, err := read(p[i].Path)
		if err != nil {
			continue
		}
		for _, d := range around(src, c.file(p[i].Path)) {
			if size+len(d) > budget {
				return
			}
			p[i].Context += d
			size += len(d)
		}
	}
}

func (c Change) file(path string) ChangeFile {
	for _, f := range c.Files {
		if f.Path == path {
			return f
		}
	}
	return ChangeFile{}
}

// around is each top-level declaration of src that a hunk of f overlaps,
// its lines numbered as in the file.
func around(src []byte, f ChangeFile) []string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, f.Path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	var out []string
	for _, d := range file.Decls {
		if _, ok := d.(*ast.FuncDecl); !ok {
			continue
		}
		from, to := fset.Position(d.Pos()).Line, fset.Position(d.End()).Line
		for _, h := range f.Hunks {
			if h.NewStart <= to && h.NewStart+h.NewLines > from {
				var b strings.Builder
				for n := from; n <= to && n <= len(lines); n++ {
					fmt.Fprintf(&b, "%4d| %s\n", n, lines[n-1])
				}
				out = append(out, b.String())
				break
			}
		}
	}
	return out
}

// Prompt renders review.risk for one part of the change.
func Prompt(service string, c Change, findings []Finding, part []Section, n, of int) (llm.Prompt, error) {
	pt, err := prompts.Load("review.risk")
	if err != nil {
		return llm.Prompt{}, err
	}
	add, del := c.Lines()
	return pt.Render(promptData{Service: service, Base: c.Base, Files: len(c.Files), Added: add, Removed: del,
		Part: n, Parts: of, Findings: findings, Sections: part})
}

// merge combines the answers of a change reviewed in parts: the highest
// risk, the lowest confidence, every item, approvable only if every part
// is.
func merge(as []Answer) Answer {
	if len(as) == 1 {
		return as[0]
	}
	m := Answer{AutoApprovable: true, Confidence: 1}
	var why []string
	for i, a := range as {
		m.RiskScore = max(m.RiskScore, a.RiskScore)
		m.Confidence = min(m.Confidence, a.Confidence)
		m.AutoApprovable = m.AutoApprovable && a.AutoApprovable
		m.SecurityFindings = append(m.SecurityFindings, a.SecurityFindings...)
		m.PerformanceConcerns = append(m.PerformanceConcerns, a.PerformanceConcerns...)
		m.CoverageGaps = append(m.CoverageGaps, a.CoverageGaps...)
		m.BreakingChanges = append(m.BreakingChanges, a.BreakingChanges...)
		m.Evidence = append(m.Evidence, a.Evidence...)
		why = append(why, fmt.Sprintf("part %d: %s", i+1, a.Rationale))
	}
	m.Rationale = strings.Join(why, " ")
	return m
}
