package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// A pass whose fixes break the build together is undone, and its fixes are
// verified one at a time: the good one is kept, the bad one reverted.
func TestPassVerifiedOneFixAtATime(t *testing.T) {
	h := phasetest.Bare(t, "lint")
	dir := filepath.Join(h.Workdir, "svc")
	src := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 1\n\tx = x\n\tfmt.Printf(\"%d\\n\", \"hello\")\n\tfmt.Println(x)\n}\n"
	for name, body := range map[string]string{"go.mod": "module example.com/m\n\ngo 1.24\n", "main.go": src} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	suite, err := NewSuite([]string{"assign", "printf"})
	if err != nil {
		t.Fatal(err)
	}
	var out Output
	r := newRunner(h.Env, Input{Workdir: h.Workdir, MaxPasses: 5}, suite, &out)
	ctx := context.Background()
	cur, err := r.analyze(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// The printf finding has no fix of its own: give it one that breaks
	// the build, so the pass fails as a whole.
	bad := -1
	for i, f := range cur.findings {
		if f.Analyzer == "printf" {
			at := strings.Index(src, "fmt.Printf")
			cur.findings[i].Fixable = true
			cur.findings[i].edits = []byteEdits{{abs: f.abs, edits: []byteEdit{{start: at, end: at + len("fmt.Printf"), text: []byte("fmt.Nope")}}}}
			bad = i
		}
	}
	if bad < 0 || len(cur.findings) != 2 || len(cur.broken) != 0 {
		t.Fatalf("analysis: %v, broken %v", cur.findings, cur.broken)
	}
	m := Module{Dir: "svc", Fix: true}
	got, err := r.deterministic(ctx, m, dir, cur, change.Policy{Dirs: []string{"svc"}, TestEdits: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Log.String(), "did not verify as a whole") {
		t.Errorf("the pass verified as a whole:\n%s", h.Log)
	}
	if len(out.Fixes) != 1 || out.Fixes[0].Finding.Analyzer != "assign" || out.Fixes[0].Status != Applied {
		t.Errorf("fixes: %+v", out.Fixes)
	}
	if len(out.Rejected) != 1 || out.Rejected[0].Finding.Analyzer != "printf" || out.Rejected[0].Status != Reverted {
		t.Errorf("rejected: %+v", out.Rejected)
	}
	if len(got.findings) != 1 || got.findings[0].Analyzer != "printf" || len(got.broken) != 0 {
		t.Errorf("after: %v, broken %v", got.findings, got.broken)
	}
	b, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(src, "\tx = x\n", "", 1); string(b) != want {
		t.Errorf("main.go:\n%s\nwant:\n%s", b, want)
	}
}
