package review

import (
	"context"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phasecache"
)

// The review's result depends on the change against HEAD: its Input names
// the HEAD commit, so a new commit is a new input, and outside a git
// repository nothing is reused.
func TestTheInputNamesTheCommitTheChangeIsAgainst(t *testing.T) {
	dir, cfg := gitRepo(t, ".")
	in, err := Configure(phase.Setup{Config: cfg, Workdir: dir, RunID: "run1"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Git(context.Background(), dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if in.Head != strings.TrimSpace(string(want)) || in.NoCache() != "" {
		t.Fatalf("head %q (want %s), no-cache %q", in.Head, want, in.NoCache())
	}
	if got := strings.Join(in.CacheReads(), " "); got != "service tests orchestrate.yaml" {
		t.Errorf("reads %s", got)
	}
	before, _ := phasecache.HashJSON(in, "run_id")
	write(t, dir, "service/version.go", "package main\n\nconst buildVersion = \"1.4.2\"\n\nvar _ = buildVersion\n")
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "next"}} {
		if _, err := Git(context.Background(), dir, args...); err != nil {
			t.Fatal(err)
		}
	}
	next, _ := Configure(phase.Setup{Config: cfg, Workdir: dir, RunID: "run2"})
	if after, _ := phasecache.HashJSON(next, "run_id"); after == before || next.Head == in.Head {
		t.Errorf("a new commit left the input as it was (head %s)", next.Head)
	}
	outside, _ := Configure(phase.Setup{Config: cfg, Workdir: t.TempDir(), RunID: "run3"})
	if outside.Head != "" || !strings.Contains(outside.NoCache(), "not in a git repository") {
		t.Errorf("outside git: head %q, no-cache %q", outside.Head, outside.NoCache())
	}
}
