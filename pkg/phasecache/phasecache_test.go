package phasecache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFilesLeavesOutWhatTheDirectoryIgnores(t *testing.T) {
	wd := t.TempDir()
	for p, c := range map[string]string{
		"svc/.gitignore": "# build output\n/svc\n*.out\nbin/\n", "svc/main.go": "package main\n", "svc/svc": "binary",
		"svc/sub/x.out": "x", "svc/bin/tool": "t", "svc/sub/svc": "a file named like the binary, deeper", "FIXES.md": "# fixes\n",
	} {
		abs := filepath.Join(wd, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files(wd, []string{"svc", "FIXES.md", "absent"})
	if err != nil {
		t.Fatal(err)
	}
	if keys := strings.Join(sortedKeys(got), " "); keys != "FIXES.md svc/.gitignore svc/main.go svc/sub/svc" {
		t.Fatalf("files = %s", keys)
	}
}

func TestDecideExplainsWhatChanged(t *testing.T) {
	base := Parts{Input: "i", Config: "c", Tools: "t", Files: map[string]string{"svc/a.go": "1", "svc/b.go": "2"}}
	e := Entry{Phase: "lint", Key: base.Key(), Run: "r1", Dir: "03-lint", Parts: base, After: base.Files}
	ok := func(Entry) string { return "" }
	if d := Decide(base, []Entry{e}, ok); d.Status != Hit || d.From.Run != "r1" {
		t.Fatalf("same parts: %+v", d)
	}
	if d := Decide(base, []Entry{e}, func(Entry) string { return "gone" }); d.Status != Miss || d.Why != "gone" {
		t.Fatalf("unusable run: %+v", d)
	}
	cur := base
	cur.Tools, cur.Config = "t2", "c2"
	cur.Files = map[string]string{"svc/a.go": "9", "svc/c.go": "3"}
	d := Decide(cur, []Entry{e}, ok)
	want := "changed since run r1: the model settings or the phase's config; the orchestrate binary or the go toolchain; files: svc/a.go changed, svc/b.go removed, svc/c.go added"
	if d.Status != Miss || d.Why != want {
		t.Fatalf("why = %q\nwant %q", d.Why, want)
	}
	if d := Decide(base, nil, ok); d.Status != Miss || !strings.Contains(d.Why, "no earlier run") {
		t.Fatalf("cold: %+v", d)
	}
}

func TestHashJSONLeavesOutTheRunID(t *testing.T) {
	a, _ := HashJSON(map[string]any{"run_id": "one", "spec": "x"}, "run_id")
	b, _ := HashJSON(map[string]any{"run_id": "two", "spec": "x"}, "run_id")
	c, _ := HashJSON(map[string]any{"run_id": "two", "spec": "y"}, "run_id")
	if a != b || b == c {
		t.Fatalf("hashes %s %s %s", a, b, c)
	}
}

func TestIndexKeepsTheNewestEntryPerKey(t *testing.T) {
	x := Index{Root: t.TempDir()}
	for i, run := range []string{"r1", "r2", "r3"} {
		key := "k"
		if i == 1 {
			key = "other"
		}
		if err := x.Add(Entry{Phase: "lint", Key: key, Run: run}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := x.Entries("lint")
	if err != nil || len(es) != 2 || es[0].Run != "r3" || es[1].Run != "r2" {
		t.Fatalf("entries %+v (%v)", es, err)
	}
}

func TestEnvNamedCoversOnlyTheVariablesTheTextNames(t *testing.T) {
	compose := []byte("services:\n  web:\n    ports: [\"${HOST_PORT:-8080}:8080\"]\n    environment: [\"TOKEN=$TOKEN\"]\n")
	base := EnvNamed(compose, []string{"HOST_PORT=9000", "TOKEN=a", "PATH=/bin"})
	if base == "" || strings.Contains(base, "9000") {
		t.Fatalf("fingerprint %q", base)
	}
	if got := EnvNamed(compose, []string{"TOKEN=a", "HOST_PORT=9000", "PATH=/usr/bin", "HOME=/x"}); got != base {
		t.Errorf("a variable the file does not name changed the fingerprint")
	}
	for _, env := range [][]string{{"HOST_PORT=9001", "TOKEN=a"}, {"TOKEN=a"}, {"HOST_PORT=9000", "TOKEN=b"}} {
		if EnvNamed(compose, env) == base {
			t.Errorf("%v: same fingerprint as HOST_PORT=9000 TOKEN=a", env)
		}
	}
	if got := EnvNamed([]byte("services: {}\n"), []string{"TOKEN=a"}); got != "" {
		t.Errorf("a file that names no variable: %q", got)
	}
}
