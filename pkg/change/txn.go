package change

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
)

// Status is what became of a proposed change.
type Status = string

// Statuses, shared by lint fixes and remediations.
const (
	Pending  Status = "pending"  // applied, awaiting its verdict
	Applied  Status = "applied"  // applied, verified, kept
	Reverted Status = "reverted" // applied, failed verification, undone
	Refused  Status = "refused"  // the policy said no; kept as a proposal
	Proposal Status = "proposal" // the model or the threshold says a human must decide
	Invalid  Status = "invalid"  // the answer could not be turned into a change
)

// Record is one proposed change and its fate: the same shape wherever
// orchestrate changes code it did not just generate.
type Record struct {
	N        int      `json:"n"`
	Kind     string   `json:"kind"`  // deterministic or model
	Fixer    string   `json:"fixer"` // the tool or model that proposed it
	Status   Status   `json:"status"`
	Reason   string   `json:"reason,omitempty"` // why it was not kept, or what the verdict said
	Files    []string `json:"files,omitempty"`
	Lines    int      `json:"lines,omitempty"`
	Patch    string   `json:"patch,omitempty"` // relative to the run directory
	Prompt   string   `json:"prompt,omitempty"`
	Response string   `json:"response,omitempty"`
}

// Txn carries the changes of one phase through propose → policy → apply →
// verify → keep or revert → record. It remembers every file as it was
// before the phase's first change, so the phase's whole change can be
// shown, or undone, at the end.
type Txn struct {
	Workdir string
	Policy  Policy
	// MaxLinesRun bounds the changed lines kept in the phase; 0 is no bound.
	MaxLinesRun int
	// Write keeps a patch in the phase's artifacts and returns its path
	// relative to the run directory.
	Write func(name string, b []byte) (string, error)

	n        int
	lines    int
	kept     int // changes kept so far: the tree's generation
	original map[string][]byte
	order    []string
	reverted map[string][2]int // patch hash -> the record that was reverted, and the generation it was judged in
}

// Next numbers a new record.
func (t *Txn) Next(kind, fixer string) Record {
	t.n++
	return Record{N: t.n, Kind: kind, Fixer: fixer}
}

// Check is the policy's word on a change, with testEdits saying whether a
// test file may change, plus the phase's bound on kept lines.
func (t *Txn) Check(set Set, testEdits bool) string {
	pol := t.Policy
	pol.TestEdits = testEdits
	if rs := pol.Check(set); len(rs) > 0 {
		return Explain(rs) + "; kept as a proposal for a human"
	}
	if t.MaxLinesRun > 0 && t.lines+set.Lines() > t.MaxLinesRun {
		return fmt.Sprintf("the phase's changes would reach %d lines; policy.max_lines_per_run is %d", t.lines+set.Lines(), t.MaxLinesRun)
	}
	return ""
}

// Apply writes the change and marks the record pending, keeping its patch
// under diffs/.
func (t *Txn) Apply(r *Record, set Set) error {
	if err := t.Put(set); err != nil {
		return err
	}
	r.Status = Pending
	return t.keepPatch(r, set, "diffs")
}

// Put writes a change without a record (a fault planted on purpose, or a
// batch the caller verifies), remembering the files so Whole shows it and
// Restore undoes it with the rest.
func (t *Txn) Put(set Set) error {
	if t.original == nil {
		t.original = map[string][]byte{}
	}
	for _, f := range set.Files {
		if _, ok := t.original[f.Path]; !ok {
			t.original[f.Path] = f.Before
			t.order = append(t.order, f.Path)
		}
	}
	return set.Apply(t.Workdir)
}

// Keep marks an applied change verified.
func (t *Txn) Keep(r *Record, why string) {
	r.Status, r.Reason = Applied, why
	t.lines += r.Lines
	t.kept++
}

// Kept is how many changes were kept: a reverted change judged on an
// older tree may be judged again on a newer one.
func (t *Txn) Kept() int { return t.kept }

// Revert undoes an applied change and remembers it, so the same change
// proposed again is recognised.
func (t *Txn) Revert(r *Record, set Set, why string) error {
	if err := set.Revert(t.Workdir); err != nil {
		return fmt.Errorf("revert change %d: %w", r.N, err)
	}
	r.Status, r.Reason = Reverted, why
	if t.reverted == nil {
		t.reverted = map[string][2]int{}
	}
	t.reverted[hash(set)] = [2]int{r.N, t.kept}
	return nil
}

// Record sets a change's fate where the caller verified it itself (a
// batch of fixes verified together, or a proposal never applied) and keeps
// its patch: under diffs/ when applied, else under rejected/.
func (t *Txn) Record(r *Record, set Set, status Status, why string) error {
	r.Status, r.Reason = status, why
	dir := "rejected"
	if status == Applied {
		dir = "diffs"
		t.lines += set.Lines()
		t.kept++
	}
	return t.keepPatch(r, set, dir)
}

// Again is the number of an earlier record with the same change that was
// reverted on the tree as it is now (no change kept since), or 0.
func (t *Txn) Again(set Set) int {
	r, ok := t.reverted[hash(set)]
	if !ok || r[1] != t.kept {
		return 0
	}
	return r[0]
}

func (t *Txn) keepPatch(r *Record, set Set, dir string) error {
	r.Files, r.Lines = set.Paths(), set.Lines()
	p, err := set.Patch()
	if err != nil || p == "" || t.Write == nil {
		return err
	}
	r.Patch, err = t.Write(fmt.Sprintf("%s/%02d-%s.patch", dir, r.N, artifact.Slug(r.Fixer)), []byte(p))
	return err
}

// Whole is the phase's whole change: every file it touched, as it was
// before the phase against as it is now.
func (t *Txn) Whole() (Set, error) {
	var set Set
	for _, p := range t.order {
		now, err := os.ReadFile(filepath.Join(t.Workdir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return set, err
		}
		set.Files = append(set.Files, File{Path: p, Before: t.original[p], After: now})
	}
	return set, nil
}

// Restore puts every file the phase touched back as it was before it.
func (t *Txn) Restore() ([]string, error) {
	set, err := t.Whole()
	if err != nil {
		return nil, err
	}
	return t.order, set.Revert(t.Workdir)
}

func hash(set Set) string {
	h := sha256.New()
	for _, f := range set.Files {
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", f.Path, len(f.Before), len(f.After))
		h.Write(f.Before)
		h.Write(f.After)
	}
	return hex.EncodeToString(h.Sum(nil))
}
