// Package change is how orchestrate changes code it did not just generate:
// lint fixes and remediation. A change is the whole content of each file
// before and after, so the orchestrator, not the model, computes the diff;
// it is checked against the policy, applied, verified by the caller, and
// reverted byte for byte when verification fails.
package change

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/diff"
)

// File is one file's content before and after a change. A nil Before is a
// new file; a nil After a deleted one.
type File struct {
	Path   string // relative to the workdir, forward slashes
	Before []byte
	After  []byte
}

// Set is one change: one or more files.
type Set struct {
	Files []File
}

// Paths lists the files the change touches.
func (s Set) Paths() []string {
	out := make([]string, 0, len(s.Files))
	for _, f := range s.Files {
		out = append(out, f.Path)
	}
	return out
}

// Empty reports a change that changes nothing.
func (s Set) Empty() bool {
	for _, f := range s.Files {
		if string(f.Before) != string(f.After) || (f.Before == nil) != (f.After == nil) {
			return false
		}
	}
	return true
}

// Patch is the change as a unified diff `git apply` accepts in the workdir,
// against the Before state.
func (s Set) Patch() (string, error) {
	var b strings.Builder
	for _, f := range s.Files {
		p, err := diff.File(f.Path, f.Before, f.After)
		if err != nil {
			return "", err
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

// Lines counts the changed lines, added plus removed.
func (s Set) Lines() int {
	p, err := s.Patch()
	if err != nil {
		return 0
	}
	a, r := diff.Stat(p)
	return a + r
}

// Apply writes the After state. It refuses when a file no longer holds
// its Before content: something else changed it in between.
func (s Set) Apply(workdir string) error {
	return s.write(workdir, func(f File) ([]byte, []byte) { return f.Before, f.After })
}

// Revert writes the Before state back.
func (s Set) Revert(workdir string) error {
	return s.write(workdir, func(f File) ([]byte, []byte) { return f.After, f.Before })
}

func (s Set) write(workdir string, pick func(File) (from, to []byte)) error {
	for _, f := range s.Files {
		from, _ := pick(f)
		abs := filepath.Join(workdir, filepath.FromSlash(f.Path))
		cur, err := os.ReadFile(abs)
		switch {
		case errors.Is(err, os.ErrNotExist) && from == nil:
		case err != nil:
			return fmt.Errorf("read %s: %w", f.Path, err)
		case from == nil || string(cur) != string(from):
			return fmt.Errorf("%s changed while orchestrate was working on it; nothing was written to it", f.Path)
		}
	}
	for _, f := range s.Files {
		_, to := pick(f)
		abs := filepath.Join(workdir, filepath.FromSlash(f.Path))
		if to == nil {
			if err := os.Remove(abs); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return err
		}
		if err := artifact.WriteAtomic(abs, to, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Edit is an exact search-and-replace edit: Old must occur exactly once in
// the file.
type Edit struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Whole is a whole replacement file.
type Whole struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Build turns edits and whole files into a change against the workdir as
// it is on disk. Edits to one file apply in order, each to the result of
// the one before.
func Build(workdir string, edits []Edit, files []Whole) (Set, error) {
	var s Set
	idx := map[string]int{}
	get := func(p string) (*File, error) {
		if err := checkRel(p); err != nil {
			return nil, err
		}
		if i, ok := idx[p]; ok {
			return &s.Files[i], nil
		}
		b, err := os.ReadFile(filepath.Join(workdir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		idx[p] = len(s.Files)
		s.Files = append(s.Files, File{Path: p, Before: b, After: b})
		return &s.Files[len(s.Files)-1], nil
	}
	for i, e := range edits {
		f, err := get(e.Path)
		if err != nil {
			return Set{}, fmt.Errorf("edit %d: %w", i+1, err)
		}
		if f.After == nil {
			return Set{}, fmt.Errorf("edit %d: %s does not exist; send a whole file to create one", i+1, e.Path)
		}
		if e.Old == "" {
			return Set{}, fmt.Errorf("edit %d of %s: empty old text", i+1, e.Path)
		}
		switch n := strings.Count(string(f.After), e.Old); n {
		case 1:
			f.After = []byte(strings.Replace(string(f.After), e.Old, e.New, 1))
		case 0:
			return Set{}, fmt.Errorf("edit %d of %s: the old text is not in the file (it must match exactly, whitespace included)", i+1, e.Path)
		default:
			return Set{}, fmt.Errorf("edit %d of %s: the old text occurs %d times; it must be unique", i+1, e.Path, n)
		}
	}
	for i, w := range files {
		f, err := get(w.Path)
		if err != nil {
			return Set{}, fmt.Errorf("file %d: %w", i+1, err)
		}
		f.After = []byte(w.Content)
	}
	return s, nil
}

func checkRel(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("empty path")
	case strings.Contains(p, `\`), path.IsAbs(p), filepath.IsAbs(p):
		return fmt.Errorf("path %q must be relative to the workdir, with forward slashes", p)
	case !filepath.IsLocal(filepath.FromSlash(p)) || path.Clean(p) != p:
		return fmt.Errorf("path %q leaves the workdir or is not clean", p)
	}
	return nil
}
