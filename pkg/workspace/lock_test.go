package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second run in a held workdir is refused naming the holder; once the
// holder lets go the workdir is free and no lock file is left behind.
func TestLockRefusesSecondRunNamingHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "run-one")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "run-two")
	var le *LockedError
	if !errors.As(err, &le) || le.Holder != "run-one" {
		t.Fatalf("second Acquire: %v, want a LockedError naming run-one", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
		t.Errorf("lock file left after release: %v", err)
	}
	l2, err := Acquire(dir, "run-two")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	defer l2.Release()
	b, _ := os.ReadFile(filepath.Join(dir, LockFile))
	if string(b) != "run-two\n" {
		t.Errorf("lock file holds %q", b)
	}
}

func TestCheckPathRefusesControlCharactersAndLongNames(t *testing.T) {
	for p, want := range map[string]string{
		"a\x00.go":                      "control character",
		"a\nb.go":                       "control character",
		strings.Repeat("n", 256) + "":   "name of 256 bytes",
		strings.Repeat("d/", 600) + "x": "path of 1201 bytes",
	} {
		if err := CheckPath(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckPath(%.20q...) = %v, want %q", p, err, want)
		}
	}
	if err := CheckPath(strings.Repeat("n", 255)); err != nil {
		t.Errorf("a 255-byte name: %v", err)
	}
}
