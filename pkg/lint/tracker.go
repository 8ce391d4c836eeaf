package lint

import (
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
)

// tracker maps a finding's suggested edits, made against the file as it was
// analysed, onto the file after the fixes applied before it in the same
// pass, and refuses edits that overlap one of those.
type tracker map[string][]span // by absolute path, in analysed coordinates

type span struct {
	start, end int
	delta      int // len(new text) - (end - start)
}

func (t tracker) overlaps(abs string, e byteEdit) bool {
	for _, s := range t[abs] {
		if e.start < s.end && s.start < e.end {
			return true
		}
		if e.start == s.start || (e.start == e.end && e.start >= s.start && e.start <= s.end) || (s.start == s.end && s.start >= e.start && s.start <= e.end) {
			return true
		}
	}
	return false
}

func (t tracker) shift(abs string, off int) int {
	d := 0
	for _, s := range t[abs] {
		if s.end <= off {
			d += s.delta
		}
	}
	return off + d
}

// set builds the change a finding's fix makes to the files as they are on
// disk now. ok is false when it overlaps an earlier fix of the pass.
func (t tracker) set(workdir string, f Finding) (change.Set, bool, error) {
	var set change.Set
	for _, fe := range f.edits {
		for _, e := range fe.edits {
			if t.overlaps(fe.abs, e) {
				return set, false, nil
			}
		}
	}
	for _, fe := range f.edits {
		cur, err := os.ReadFile(fe.abs)
		if err != nil {
			return set, false, fmt.Errorf("read %s: %w", fe.abs, err)
		}
		edits := append([]byteEdit(nil), fe.edits...)
		sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
		after := append([]byte(nil), cur...)
		for _, e := range edits {
			s, en := t.shift(fe.abs, e.start), t.shift(fe.abs, e.end)
			if s < 0 || en > len(after) || s > en {
				return set, false, nil
			}
			after = append(append(append([]byte(nil), after[:s]...), e.text...), after[en:]...)
		}
		set.Files = append(set.Files, change.File{Path: rel(workdir, fe.abs), Before: cur, After: after})
	}
	return set, true, nil
}

// keep records a finding's edits as applied.
func (t tracker) keep(f Finding) {
	for _, fe := range f.edits {
		for _, e := range fe.edits {
			t[fe.abs] = append(t[fe.abs], span{start: e.start, end: e.end, delta: len(e.text) - (e.end - e.start)})
		}
	}
}

// staticcheckVersion is the honnef.co/go/tools version built in.
var staticcheckVersion = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "honnef.co/go/tools" {
				return d.Version
			}
		}
	}
	return "(unknown)"
}()
