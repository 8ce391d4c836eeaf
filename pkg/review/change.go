package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/orchestrate-dev/orchestrate/pkg/diff"
)

// Change is what a review looks at: the files a diff touches, each with
// the line numbers (in the new version) it adds, and the unified diff
// itself.
type Change struct {
	Base  string       `json:"base"`  // what the diff is against: "HEAD", a range, a patch file
	Patch string       `json:"-"`     // the unified diff
	Files []ChangeFile `json:"files"` // in the diff's order
}

// ChangeFile is one file of a change.
type ChangeFile struct {
	Path    string `json:"path"`   // slash-separated, relative to the root
	Status  string `json:"status"` // added, modified, deleted
	Added   []int  `json:"added"`  // line numbers of the new version the diff adds
	Removed int    `json:"removed"`
	Hunks   []Hunk `json:"-"`
}

// Hunk is one hunk of a file's diff, as text, with where it starts.
type Hunk struct {
	NewStart, NewLines int
	Text               string // the hunk's lines, each with its +, - or space
}

// SHA256 identifies the change: an approval is for this diff and no other.
func (c Change) SHA256() string {
	s := sha256.Sum256([]byte(c.Patch))
	return hex.EncodeToString(s[:])
}

// Empty reports whether the diff changes nothing.
func (c Change) Empty() bool { return len(c.Files) == 0 }

// Touches reports whether line of path is one the diff adds.
func (c Change) Touches(path string, line int) bool {
	for _, f := range c.Files {
		if f.Path == path {
			_, ok := slices.BinarySearch(f.Added, line)
			return ok
		}
	}
	return false
}

// Lines counts the added and removed lines.
func (c Change) Lines() (added, removed int) {
	for _, f := range c.Files {
		added += len(f.Added)
		removed += f.Removed
	}
	return added, removed
}

// ErrNoGit is a workdir outside any git repository: there is no previous
// version to compare with.
var ErrNoGit = errors.New("not inside a git repository")

// Git runs git in dir and returns its standard output.
func Git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// WorkingChange is the diff of paths (relative to dir) in the working
// tree against HEAD, files git does not track yet included as added.
func WorkingChange(ctx context.Context, dir string, paths ...string) (Change, error) {
	if _, err := Git(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		if _, err2 := Git(ctx, dir, "rev-parse", "--git-dir"); err2 != nil {
			return Change{}, ErrNoGit
		}
		return Change{}, fmt.Errorf("%w: the repository has no commit yet", ErrNoGit)
	}
	args := append([]string{"diff", "--no-color", "--no-ext-diff", "--no-renames", "--relative", "HEAD", "--"}, paths...)
	tracked, err := Git(ctx, dir, args...)
	if err != nil {
		return Change{}, err
	}
	patch := string(tracked)
	others, err := Git(ctx, dir, append([]string{"ls-files", "--others", "--exclude-standard", "--"}, paths...)...)
	if err != nil {
		return Change{}, err
	}
	for _, p := range strings.Fields(string(others)) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			continue // unreadable or binary: nothing to review as text
		}
		d, err := diff.File(p, nil, b)
		if err != nil {
			return Change{}, err
		}
		patch += d
	}
	return ParsePatch("HEAD", patch)
}

// RangeChange is the diff of a git range (A..B, A...B or one revision,
// meaning it against the working tree), limited to paths.
func RangeChange(ctx context.Context, dir, rng string, paths ...string) (Change, error) {
	if strings.HasPrefix(rng, "-") {
		return Change{}, fmt.Errorf("--diff %q: a range may not start with -", rng)
	}
	args := append([]string{"diff", "--no-color", "--no-ext-diff", "--no-renames", "--relative", rng, "--"}, paths...)
	out, err := Git(ctx, dir, args...)
	if err != nil {
		return Change{}, err
	}
	return ParsePatch(rng, string(out))
}

// ParsePatch reads a unified diff (git's or diff -u's).
func ParsePatch(base, patch string) (Change, error) {
	files, _, err := gitdiff.Parse(strings.NewReader(patch))
	if err != nil {
		return Change{}, fmt.Errorf("the diff does not parse: %w", err)
	}
	if len(files) == 0 && strings.TrimSpace(patch) != "" {
		return Change{}, errors.New("the diff holds no file changes: is it a unified diff (git diff, diff -u)?")
	}
	c := Change{Base: base, Patch: patch}
	for _, f := range files {
		if f.IsBinary {
			continue
		}
		c.Files = append(c.Files, changeFile(f))
	}
	return c, nil
}

func changeFile(f *gitdiff.File) ChangeFile {
	cf := ChangeFile{Path: strings.TrimPrefix(f.NewName, "b/"), Status: "modified"}
	switch {
	case f.IsNew:
		cf.Status = "added"
	case f.IsDelete:
		cf.Status, cf.Path = "deleted", strings.TrimPrefix(f.OldName, "a/")
	}
	for _, fr := range f.TextFragments {
		h := Hunk{NewStart: int(fr.NewPosition), NewLines: int(fr.NewLines)}
		var b strings.Builder
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", fr.OldPosition, fr.OldLines, fr.NewPosition, fr.NewLines)
		n := int(fr.NewPosition)
		for _, l := range fr.Lines {
			b.WriteString(l.Op.String() + l.Line)
			if !strings.HasSuffix(l.Line, "\n") {
				b.WriteString("\n")
			}
			switch l.Op {
			case gitdiff.OpAdd:
				cf.Added = append(cf.Added, n)
				n++
			case gitdiff.OpContext:
				n++
			case gitdiff.OpDelete:
				cf.Removed++
			}
		}
		h.Text = b.String()
		cf.Hunks = append(cf.Hunks, h)
	}
	slices.Sort(cf.Added)
	return cf
}
