// Package workspace writes generated files into the workdir without ever
// losing a hand edit. Every generated file is recorded, path and SHA-256,
// in <dir>/.orchestrate.sum. On the next run a file whose hash no longer
// matches was changed by hand: it is kept, reported, and the new version is
// written beside it as <file>.orchestrate-new for the user to merge,
// unless the run forces it. Only paths inside the directory are accepted.
package workspace

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/diff"
)

// SumFile is the manifest's name inside a generated directory.
const SumFile = ".orchestrate.sum"

// Beside is the suffix of a new version written next to a hand-edited file.
const Beside = ".orchestrate-new"

// File is one generated file, its path relative to the directory.
type File struct {
	Path    string `json:"path"`
	Content []byte `json:"-"`
	Source  string `json:"source"` // a template, or the prompt of the model answer
}

// Statuses of a file after Write.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	Kept      = "kept-hand-edited" // changed by hand: kept, new version beside it
	Forced    = "overwritten-hand-edited"
	Removed   = "removed" // generated last time, not this time, unchanged since
)

// Change is what happened to one file.
type Change struct {
	Path   string `json:"path"` // relative to the workdir
	Status string `json:"status"`
	Source string `json:"source,omitempty"`
	SHA256 string `json:"sha256,omitempty"` // of what the file holds now
	Beside string `json:"beside,omitempty"` // the new version of a kept file
}

// Result of a Write.
type Result struct {
	Changes []Change `json:"changes"`
	Patch   string   `json:"-"` // unified diff of everything written, relative to the workdir
}

// HandEdited lists the files kept because they were changed by hand.
func (r Result) HandEdited() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Status == Kept {
			out = append(out, c)
		}
	}
	return out
}

// Dir is a generated directory of the workdir, as one phase sees it.
type Dir struct {
	Workdir string // absolute
	Rel     string // the directory, relative to the workdir: "service"
	Phase   string // the entries of the manifest this phase owns
	Force   bool   // overwrite hand edits
}

// Abs is the directory's absolute path.
func (d Dir) Abs() string { return filepath.Join(d.Workdir, filepath.FromSlash(d.Rel)) }

// Write writes the phase's files: the complete set it generates now. Files
// the phase generated last time and not now are removed when untouched.
func (d Dir) Write(files []File) (Result, error) {
	sums, err := d.readSums()
	if err != nil {
		return Result{}, err
	}
	w := &writing{d: d, sums: sums, seen: map[string]bool{}, next: d.othersEntries(sums)}
	for _, f := range files {
		if err := w.file(f); err != nil {
			return w.res, err
		}
	}
	// What this phase generated before and not now.
	for _, p := range sortedKeys(sums) {
		if err := w.stale(p, sums[p]); err != nil {
			return w.res, err
		}
	}
	w.res.Patch = w.patch.String()
	return w.res, d.writeSums(w.next)
}

// writing is one Write in progress: the manifest as it was, and the
// result, patch and manifest it builds.
type writing struct {
	d     Dir
	sums  map[string]entry // the manifest as read
	seen  map[string]bool  // the paths the phase generates now
	next  map[string]entry // the manifest to write
	res   Result
	patch strings.Builder
}

// othersEntries is the part of the manifest other phases own: this Write
// leaves it as it is.
func (d Dir) othersEntries(sums map[string]entry) map[string]entry {
	next := map[string]entry{}
	for k, e := range sums {
		if e.phase != d.Phase {
			next[k] = e
		}
	}
	return next
}

// paths of a file relative to the directory: absolute, and relative to
// the workdir (how changes name it).
func (d Dir) paths(p string) (abs, rel string) {
	return filepath.Join(d.Abs(), filepath.FromSlash(p)), path.Join(d.Rel, p)
}

// file writes one generated file, unless it was edited by hand since it
// was last generated: then the new version goes beside it.
func (w *writing) file(f File) error {
	if err := CheckPath(f.Path); err != nil {
		return err
	}
	w.seen[f.Path] = true
	abs, rel := w.d.paths(f.Path)
	c := Change{Path: rel, Source: f.Source, SHA256: hash(f.Content)}
	old, err := os.ReadFile(abs)
	exists := err == nil
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read %s: %w", rel, err)
	}
	prev, known := w.sums[f.Path]
	c.Status = classify(old, exists, prev, known, f.Content, w.d.Force)
	if c.Status == Kept {
		c.SHA256, c.Beside = hash(old), rel+Beside
		if err := artifact.WriteAtomic(abs+Beside, f.Content, 0o644); err != nil {
			return err
		}
		if known {
			w.next[f.Path] = prev // still the last generated version
		}
		w.res.Changes = append(w.res.Changes, c)
		return nil
	}
	if c.Status != Unchanged {
		var before []byte
		if exists {
			before = old
		}
		if err := w.put(rel, abs, before, f.Content); err != nil {
			return err
		}
	}
	_ = os.Remove(abs + Beside) // a stale proposal is gone once its file is regenerated
	w.next[f.Path] = entry{sum: c.SHA256, phase: w.d.Phase}
	w.res.Changes = append(w.res.Changes, c)
	return nil
}

// classify says what Write does with a generated file, from what is on disk
// (old, when it exists) and what the manifest recorded (prev, when known).
// A file is edited by hand when it differs from the new content and either
// the manifest does not know it or its hash is no longer the recorded one.
func classify(old []byte, exists bool, prev entry, known bool, content []byte, force bool) string {
	edited := exists && (!known || prev.sum != hash(old)) && !bytes.Equal(old, content)
	switch {
	case exists && bytes.Equal(old, content):
		return Unchanged
	case edited && !force:
		return Kept
	case edited:
		return Forced
	case exists:
		return Updated
	}
	return Created
}

// put writes a file's new content, and its diff to the patch first.
func (w *writing) put(rel, abs string, before, after []byte) error {
	p, err := diff.File(rel, before, after)
	if err != nil {
		return err
	}
	w.patch.WriteString(p)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return err
	}
	return artifact.WriteAtomic(abs, after, 0o644)
}

// stale removes a file of the manifest the phase no longer generates,
// unless another phase owns it, it is generated now, it is gone already,
// or it was edited by hand (then it is kept, and stays in the manifest).
func (w *writing) stale(p string, e entry) error {
	if e.phase != w.d.Phase || w.seen[p] {
		return nil
	}
	abs, rel := w.d.paths(p)
	old, err := os.ReadFile(abs)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if hash(old) != e.sum && !w.d.Force {
		w.res.Changes = append(w.res.Changes, Change{Path: rel, Status: Kept, SHA256: hash(old)})
		w.next[p] = e
		return nil
	}
	pt, err := diff.File(rel, old, nil)
	if err != nil {
		return err
	}
	w.patch.WriteString(pt)
	if err := os.Remove(abs); err != nil {
		return err
	}
	w.res.Changes = append(w.res.Changes, Change{Path: rel, Status: Removed})
	return nil
}

// CheckPath refuses a path that is not a plain relative path inside the
// directory.
func CheckPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("empty path")
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return fmt.Errorf("path %q holds a control character (a NUL byte, a newline): no file may be named so", p)
	case len(p) > MaxPathBytes:
		return fmt.Errorf("path of %d bytes: at most %d", len(p), MaxPathBytes)
	case longestName(p) > MaxNameBytes:
		return fmt.Errorf("path %q has a name of %d bytes: file systems allow at most %d", p, longestName(p), MaxNameBytes)
	case strings.Contains(p, `\`):
		return fmt.Errorf("path %q uses backslashes; use forward slashes", p)
	case path.IsAbs(p) || filepath.IsAbs(p):
		return fmt.Errorf("path %q is absolute; it must be relative to the directory", p)
	case !filepath.IsLocal(filepath.FromSlash(p)) || path.Clean(p) != p:
		return fmt.Errorf("path %q leaves the directory or is not clean", p)
	case path.Base(p) == SumFile || strings.HasSuffix(p, Beside):
		return fmt.Errorf("path %q is orchestrate's own bookkeeping", p)
	}
	return nil
}

// Limits on a path a model may name: a file name longer than most file
// systems allow fails the write late and as an unknown error, so it is
// refused up front like any other bad path.
const (
	MaxNameBytes = 255
	MaxPathBytes = 1024
)

func longestName(p string) int {
	n := 0
	for _, part := range strings.Split(p, "/") {
		n = max(n, len(part))
	}
	return n
}

type entry struct{ sum, phase string }

// The manifest: one line per file, "<sha256>  <phase>  <path>", sorted.
func (d Dir) readSums() (map[string]entry, error) {
	out := map[string]entry{}
	f, err := os.Open(filepath.Join(d.Abs(), SumFile))
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 3 || len(fs[0]) != 64 {
			return nil, fmt.Errorf("%s:%d: want \"<sha256>  <phase>  <path>\"; fix or delete the line (a deleted line makes the file count as hand-written)", path.Join(d.Rel, SumFile), n)
		}
		out[fs[2]] = entry{sum: fs[0], phase: fs[1]}
	}
	return out, sc.Err()
}

func (d Dir) writeSums(m map[string]entry) error {
	var b strings.Builder
	b.WriteString("# Files generated by orchestrate: sha256, phase, path. A file whose hash\n# no longer matches was edited by hand and is never overwritten silently.\n")
	for _, p := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s  %s  %s\n", m[p].sum, m[p].phase, p)
	}
	if err := os.MkdirAll(d.Abs(), 0o755); err != nil {
		return err
	}
	return artifact.WriteAtomic(filepath.Join(d.Abs(), SumFile), []byte(b.String()), 0o644)
}

func sortedKeys(m map[string]entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Refusal is a file of a model answer the orchestrator did not write.
type Refusal struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Answer string `json:"answer"` // the response it came in, relative to the run directory
}

// Owned lists the files the phase generated last time, by path relative to
// the directory, with their recorded hashes.
func (d Dir) Owned() (map[string]string, error) {
	sums, err := d.readSums()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for p, e := range sums {
		if e.phase == d.Phase {
			out[p] = e.sum
		}
	}
	return out, nil
}

// Follow records a change another phase made to a generated file (a lint
// fix), so the next run does not take it for a hand edit. A file already
// edited by hand, or not generated, is left as it is: it stays the user's.
func (d Dir) Follow(p string, before, after []byte) error {
	sums, err := d.readSums()
	if err != nil {
		return err
	}
	e, ok := sums[p]
	if !ok || e.sum != hash(before) || after == nil {
		return nil
	}
	sums[p] = entry{sum: hash(after), phase: e.phase}
	return d.writeSums(sums)
}

// Count says how many files were created, updated, left unchanged…
func Count(files []Change) string {
	n := map[string]int{}
	for _, f := range files {
		n[f.Status]++
	}
	var parts []string
	for _, st := range []string{Created, Updated, Unchanged, Kept, Forced, Removed} {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, ", ")
}

// Edited lists, sorted, the files among current (path relative to the
// directory → SHA-256 of what it holds now) that the manifest does not
// record as they are: changed by hand since a phase generated them, or
// written by hand.
func (d Dir) Edited(current map[string]string) ([]string, error) {
	sums, err := d.readSums()
	if err != nil {
		return nil, err
	}
	var out []string
	for p, sum := range current {
		if e, ok := sums[p]; !ok || e.sum != sum {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
