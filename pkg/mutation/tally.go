package mutation

import (
	"sort"
)

// tally counts the mutants by status, operator and file, and scores them.
func tally(out *Output, ms []*Mutant) {
	out.Counts = Counts{}
	byOp, byFile := map[string]*Counts{}, map[string]*Counts{}
	out.Mutants = out.Mutants[:0]
	for _, m := range ms {
		out.Mutants = append(out.Mutants, *m)
		out.Counts.add(m.Status)
		for k, g := range map[string]map[string]*Counts{m.Operator: byOp, m.File: byFile} {
			if g[k] == nil {
				g[k] = &Counts{}
			}
			g[k].add(m.Status)
		}
	}
	out.Score = out.Counts.score()
	out.ByOperator, out.ByFile = groups(byOp), groups(byFile)
}

func (c *Counts) add(status string) {
	switch status {
	case Killed:
		c.Killed++
	case Survived:
		c.Survived++
	case NotCovered:
		c.NotCovered++
	case TimedOut:
		c.TimedOut++
	case DidNotCompile:
		c.DidNotCompile++
	case Equivalent:
		c.Equivalent++
	case NotRun:
		c.NotRun++
	}
}

// score is killed / (killed + survived), rounded to four places; nil when
// no mutant was either.
func (c Counts) score() *float64 {
	n := c.Killed + c.Survived
	if n == 0 {
		return nil
	}
	s := float64(int64(float64(c.Killed)/float64(n)*10000+0.5)) / 10000
	return &s
}

func groups(m map[string]*Counts) []Group {
	var out []Group
	for name, c := range m {
		out = append(out, Group{Name: name, Counts: *c, Score: c.score()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
