package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The diffs must apply with git apply to the state they were made from.
func TestFileAppliesWithGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "svc"), 0o755))
	oldMain := []byte("package main\n\nfunc main() {\n\tprintln(1)\n}\n")
	newMain := []byte("package main\n\nfunc main() {\n\tprintln(2)\n}\n")
	gone := []byte("package main\n\nvar x = 1")
	must(os.WriteFile(filepath.Join(dir, "svc/main.go"), oldMain, 0o644))
	must(os.WriteFile(filepath.Join(dir, "svc/gone.go"), gone, 0o644))

	var patch string
	for _, c := range []struct {
		path     string
		old, new []byte
	}{
		{"svc/main.go", oldMain, newMain},
		{"svc/new.go", nil, []byte("package main\n\nconst y = 2\n")},
		{"svc/gone.go", gone, nil},
		{"svc/same.go", oldMain, oldMain},
	} {
		d, err := File(c.path, c.old, c.new)
		must(err)
		patch += d
	}
	if a, r := Stat(patch); a != 4 || r != 4 {
		t.Errorf("Stat = +%d -%d, want +4 -4\n%s", a, r, patch)
	}
	must(os.WriteFile(filepath.Join(dir, "p.patch"), []byte(patch), 0o644))
	cmd := exec.Command(git, "apply", "--verbose", "p.patch")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\npatch:\n%s", err, out, patch)
	}
	got, err := os.ReadFile(filepath.Join(dir, "svc/main.go"))
	must(err)
	if string(got) != string(newMain) {
		t.Errorf("main.go after apply:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "svc/gone.go")); !os.IsNotExist(err) {
		t.Errorf("gone.go still there: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "svc/new.go")); err != nil || string(b) != "package main\n\nconst y = 2\n" {
		t.Errorf("new.go = %q, %v", b, err)
	}
}
