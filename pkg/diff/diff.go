// Package diff writes unified diffs in the form `git apply` accepts: a
// `diff --git` header, new and deleted file modes, a/ and b/ prefixes.
// Every diff orchestrate stores is made here, from whole files.
package diff

import (
	"fmt"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// File is the diff of one file, path relative to the directory `git apply`
// runs in (the workdir). A nil old is a new file; a nil new a deleted one.
func File(path string, old, new []byte) (string, error) {
	if old != nil && new != nil && string(old) == string(new) {
		return "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\n", path, path)
	from, to := "a/"+path, "b/"+path
	switch {
	case old == nil:
		b.WriteString("new file mode 100644\n")
		from = "/dev/null"
	case new == nil:
		b.WriteString("deleted file mode 100644\n")
		to = "/dev/null"
	}
	o, n := string(old), string(new)
	body, err := udiff.ToUnified(from, to, o, udiff.Strings(o, n), udiff.DefaultContextLines)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", path, err)
	}
	if body == "" { // both empty
		return "", nil
	}
	b.WriteString(body)
	return b.String(), nil
}

// Stat counts the added and removed lines of a unified diff.
func Stat(patch string) (added, removed int) {
	for _, l := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
	}
	return added, removed
}
