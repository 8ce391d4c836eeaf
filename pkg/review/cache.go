package review

import (
	"context"
	"path/filepath"
	"strings"
	"time"
)

// The review phase reviews the change of service/, tests/ and the spec
// against HEAD: in a git repository its result is a function of the HEAD
// commit (in its Input) and of those files, so a passed review of the same
// change against the same commit is reused. A held review (a human must
// approve) is the phase's error and is never reused: only successes are.

// head is the id of the HEAD commit of the repository holding dir; "" when
// dir is in none or it has no commit yet.
func head(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := Git(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// NoCache implements phase.Uncached: outside a git repository the phase
// has nothing to review (it skips), and nothing is reused.
func (in Input) NoCache() string {
	if in.Head == "" {
		return "the workdir is not in a git repository with a commit: there is no change against HEAD to review, or to reuse a review of"
	}
	return ""
}

// CacheReads implements phase.Cacheable: what the change is made of.
func (in Input) CacheReads() []string {
	return []string{in.Spec.Dir, in.Spec.TestsDir, filepath.ToSlash(in.SpecFile)}
}
