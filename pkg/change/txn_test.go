package change

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One transaction: a change applied then reverted is recognised when
// proposed again; a kept one counts against the run's bound; the whole
// change and the restore cover every file touched.
func TestTxn(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "svc"), 0o755)
	os.WriteFile(filepath.Join(dir, "svc/a.go"), []byte("package a\n\nvar x = 1\n"), 0o644)
	var written []string
	tx := &Txn{Workdir: dir, Policy: Policy{Dirs: []string{"svc"}}, MaxLinesRun: 3,
		Write: func(name string, b []byte) (string, error) {
			written = append(written, name)
			return "run/" + name, nil
		}}

	bad, _ := Build(dir, []Edit{{Path: "svc/a.go", Old: "x = 1", New: "x = 2"}}, nil)
	r := tx.Next("model", "model m")
	if why := tx.Check(bad, false); why != "" {
		t.Fatal(why)
	}
	if err := tx.Apply(&r, bad); err != nil || r.Status != Pending || r.Patch != "run/diffs/01-model-m.patch" {
		t.Fatalf("apply: %v %+v", err, r)
	}
	if err := tx.Revert(&r, bad, "targets still there"); err != nil || r.Status != Reverted {
		t.Fatalf("revert: %v %+v", err, r)
	}
	again, _ := Build(dir, []Edit{{Path: "svc/a.go", Old: "x = 1", New: "x = 2"}}, nil)
	if tx.Again(again) != 1 {
		t.Error("the same change proposed again is not recognised")
	}

	good, _ := Build(dir, []Edit{{Path: "svc/a.go", Old: "x = 1", New: "x = 3"}}, nil)
	r2 := tx.Next("model", "model m")
	if tx.Again(good) != 0 || tx.Apply(&r2, good) != nil {
		t.Fatal("a different change")
	}
	tx.Keep(&r2, "gone")
	more, _ := Build(dir, []Edit{{Path: "svc/a.go", Old: "x = 3", New: "x = 3\nvar y = 4\nvar z = 5"}}, nil)
	if why := tx.Check(more, false); !strings.Contains(why, "max_lines_per_run") {
		t.Errorf("the run's bound: %q", why)
	}
	if why := tx.Check(Set{Files: []File{{Path: "svc/a_test.go", After: []byte("package a")}}}, false); !strings.Contains(why, "test-edit") {
		t.Errorf("a test edit: %q", why)
	}
	whole, _ := tx.Whole()
	if p, _ := whole.Patch(); !strings.Contains(p, "-var x = 1") || !strings.Contains(p, "+var x = 3") {
		t.Errorf("whole:\n%s", p)
	}
	if _, err := tx.Restore(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "svc/a.go")); string(b) != "package a\n\nvar x = 1\n" {
		t.Errorf("restore: %q", b)
	}
}
