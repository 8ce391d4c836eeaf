package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func status(r Result) map[string]string {
	m := map[string]string{}
	for _, c := range r.Changes {
		m[c.Path] = c.Status
	}
	return m
}

func TestWriteKeepsHandWrittenFilesAndRemovesStaleOnes(t *testing.T) {
	wd := t.TempDir()
	d := Dir{Workdir: wd, Rel: "svc", Phase: "scaffold"}
	first, err := d.Write([]File{{Path: "a.go", Content: []byte("a1\n")}, {Path: "b.go", Content: []byte("b1\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if s := status(first); s["svc/a.go"] != Created || s["svc/b.go"] != Created {
		t.Fatalf("first = %v", s)
	}
	// A file the user wrote where the phase now wants one, and b.go no
	// longer generated.
	if err := os.WriteFile(filepath.Join(wd, "svc", "c.go"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := d.Write([]File{{Path: "a.go", Content: []byte("a2\n")}, {Path: "c.go", Content: []byte("c1\n")}})
	if err != nil {
		t.Fatal(err)
	}
	s := status(second)
	if s["svc/a.go"] != Updated || s["svc/c.go"] != Kept || s["svc/b.go"] != Removed {
		t.Fatalf("second = %v", s)
	}
	if b, _ := os.ReadFile(filepath.Join(wd, "svc", "c.go")); string(b) != "mine\n" {
		t.Error("the user's c.go was overwritten")
	}
	if b, _ := os.ReadFile(filepath.Join(wd, "svc", "c.go"+Beside)); string(b) != "c1\n" {
		t.Error("the generated c.go is not beside the user's")
	}
	if !strings.Contains(second.Patch, "deleted file mode") || !strings.Contains(second.Patch, "+a2") || strings.Contains(second.Patch, "c1") {
		t.Errorf("patch:\n%s", second.Patch)
	}
	// Another phase's entries are its own.
	other := Dir{Workdir: wd, Rel: "svc", Phase: "testgen"}
	if _, err := other.Write([]File{{Path: "a_test.go", Content: []byte("t\n")}}); err != nil {
		t.Fatal(err)
	}
	owned, err := d.Owned()
	if err != nil || len(owned) != 1 || owned["a.go"] == "" {
		t.Errorf("scaffold owns %v (%v)", owned, err)
	}
}

func TestCheckPath(t *testing.T) {
	for _, p := range []string{"", "../x.go", "a/../../x.go", "/abs.go", `a\b.go`, "./a.go", ".orchestrate.sum", "a.go" + Beside} {
		if CheckPath(p) == nil {
			t.Errorf("CheckPath(%q) accepted it", p)
		}
	}
	for _, p := range []string{"a.go", "e2e/a_test.go", ".gitignore"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q) = %v", p, err)
		}
	}
}

func TestBrokenManifestSaysWhatToDo(t *testing.T) {
	wd := t.TempDir()
	os.MkdirAll(filepath.Join(wd, "svc"), 0o755)
	os.WriteFile(filepath.Join(wd, "svc", SumFile), []byte("garbage line\n"), 0o644)
	_, err := Dir{Workdir: wd, Rel: "svc", Phase: "p"}.Write(nil)
	if err == nil || !strings.Contains(err.Error(), "svc/.orchestrate.sum:1") {
		t.Errorf("err = %v", err)
	}
}

func TestFollowKeepsLintFixesGenerated(t *testing.T) {
	d := Dir{Workdir: t.TempDir(), Rel: "service", Phase: "scaffold"}
	if _, err := d.Write([]File{{Path: "a.go", Content: []byte("v1\n")}, {Path: "b.go", Content: []byte("v1\n")}}); err != nil {
		t.Fatal(err)
	}
	// a.go is fixed by the lint phase; b.go is edited by hand, then fixed.
	if err := os.WriteFile(filepath.Join(d.Abs(), "a.go"), []byte("fixed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Follow("a.go", []byte("v1\n"), []byte("fixed\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.Abs(), "b.go"), []byte("fixed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Follow("b.go", []byte("by hand\n"), []byte("fixed\n")); err != nil {
		t.Fatal(err)
	}
	res, err := d.Write([]File{{Path: "a.go", Content: []byte("v2\n")}, {Path: "b.go", Content: []byte("v2\n")}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range res.Changes {
		got[c.Path] = c.Status
	}
	if got["service/a.go"] != Updated || got["service/b.go"] != Kept {
		t.Errorf("after lint fixes: %v", got)
	}
}

func TestClassify(t *testing.T) {
	gen, mine, next := []byte("generated\n"), []byte("by hand\n"), []byte("new\n")
	recorded := entry{sum: hash(gen), phase: "p"}
	for _, c := range []struct {
		name   string
		old    []byte
		exists bool
		prev   entry
		known  bool
		force  bool
		want   string
	}{
		{"absent", nil, false, entry{}, false, false, Created},
		{"absent though recorded", nil, false, recorded, true, false, Created},
		{"as generated", gen, true, recorded, true, false, Updated},
		{"already the new content", next, true, recorded, true, false, Unchanged},
		{"already the new content, unrecorded", next, true, entry{}, false, false, Unchanged},
		{"edited by hand", mine, true, recorded, true, false, Kept},
		{"edited by hand, forced", mine, true, recorded, true, true, Forced},
		{"written by hand", mine, true, entry{}, false, false, Kept},
		{"written by hand, forced", mine, true, entry{}, false, true, Forced},
	} {
		if got := classify(c.old, c.exists, c.prev, c.known, next, c.force); got != c.want {
			t.Errorf("%s: classify = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestEditedNamesFilesTheManifestDoesNotHoldAsTheyAre(t *testing.T) {
	wd := t.TempDir()
	d := Dir{Workdir: wd, Rel: "svc", Phase: "scaffold"}
	if _, err := d.Write([]File{{Path: "a.go", Content: []byte("a1\n")}, {Path: "b.go", Content: []byte("b1\n")}}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Edited(map[string]string{"a.go": hash([]byte("a1\n")), "b.go": hash([]byte("b1 edited\n")), "mine.go": hash([]byte("x"))})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "b.go,mine.go" {
		t.Fatalf("Edited = %v, want b.go (changed) and mine.go (hand-written)", got)
	}
}
