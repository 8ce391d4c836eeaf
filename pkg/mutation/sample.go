package mutation

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/orchestrate-dev/orchestrate/pkg/mutate"
)

// behavioural are the operators whose mutants compile and change what the
// service does. The import operators make mutants the compiler rejects by
// design: they test the triage of build failures, not the tests.
var behavioural = map[string]bool{mutate.Boundary: true, mutate.Negate: true, mutate.Status: true, mutate.Arith: true, mutate.NilMap: true}

// sample lists the sites of the behavioural operators in the service's
// non-test code and takes up to max of them, spread over the operators:
// each operator's sites in an order drawn from the seed, then one of each
// operator in turn. The same code and seed give the same sample.
func sample(workdir, dir string, s Config) ([]*Mutant, int, error) {
	sites, err := mutate.Sites(workdir, dir)
	if err != nil {
		return nil, 0, fmt.Errorf("mutation: list the mutants: %w", err)
	}
	byOp := map[string][]mutate.Site{}
	var ops []string
	n := 0
	for _, site := range sites {
		if !behavioural[site.Operator] {
			continue
		}
		if byOp[site.Operator] == nil {
			ops = append(ops, site.Operator)
		}
		byOp[site.Operator] = append(byOp[site.Operator], site)
		n++
	}
	slices.Sort(ops)
	for _, op := range ops {
		slices.SortFunc(byOp[op], func(a, b mutate.Site) int {
			return cmp.Or(cmp.Compare(draw(s.Seed, a.ID), draw(s.Seed, b.ID)), cmp.Compare(a.ID, b.ID))
		})
	}
	var out []*Mutant
	for round := 0; len(out) < s.MaxMutants && len(out) < n; round++ {
		for _, op := range ops {
			if round < len(byOp[op]) && len(out) < s.MaxMutants {
				out = append(out, newMutant(byOp[op][round]))
			}
		}
	}
	slices.SortFunc(out, func(a, b *Mutant) int { return cmp.Compare(a.ID, b.ID) })
	equivalent(out, s.Equivalent)
	return out, n, nil
}

func newMutant(s mutate.Site) *Mutant {
	return &Mutant{ID: s.ID, Operator: s.Operator, File: s.File, Line: s.Line, Func: s.Func, Before: s.Before, After: s.After}
}

// equivalent marks the mutants the config lists as equivalent.
func equivalent(ms []*Mutant, eq []EquivalentMutant) {
	for _, m := range ms {
		for _, e := range eq {
			if e.ID == m.ID {
				m.Status, m.Detail = Equivalent, e.Reason
			}
		}
	}
}

// draw is a site's place in the seed's order: stable across Go versions
// and independent of the other sites.
func draw(seed int64, id string) uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h := sha256.Sum256(append(b[:], id...))
	return binary.LittleEndian.Uint64(h[:8])
}
