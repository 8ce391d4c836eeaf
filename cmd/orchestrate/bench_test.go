package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkVersion measures a cold start of the real binary: process
// start, command tree, `version`. Target: well under 50 ms per op.
func BenchmarkVersion(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "orchestrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for b.Loop() {
		if out, err := exec.Command(bin, "version").Output(); err != nil || len(out) == 0 {
			b.Fatalf("version: %v %q", err, out)
		}
	}
}

// BenchmarkWarmRerunOffline measures `orchestrate run --offline` run again
// on a checkout as committed with nothing changed: scaffold, testgen and
// lint reused from the phase cache, no model call. Deploy and test are
// skipped (they always run, and need Docker): their time comes on top.
// Target: well under 1 s per op.
func BenchmarkWarmRerunOffline(b *testing.B) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	tmp := b.TempDir()
	bin, work := filepath.Join(tmp, "orchestrate"), filepath.Join(tmp, "work")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, p := range []string{"orchestrate.yaml", "FIXES.md", "service", "tests", "artifacts/llm-cache"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, p)), 0o755); err != nil {
			b.Fatal(err)
		}
		if out, err := exec.Command("cp", "-R", filepath.Join(root, p), filepath.Join(work, p)).CombinedOutput(); err != nil {
			b.Fatalf("copy %s: %v\n%s", p, err, out)
		}
	}
	run := func() string {
		cmd := exec.Command(bin, "run", "--offline", "--skip", "deploy,test", "--explain-cache")
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("run: %v\n%s", err, out)
		}
		return string(out)
	}
	run() // cold: fills the cache
	for b.Loop() {
		if out := run(); !strings.Contains(out, "lint      hit") {
			b.Fatalf("the warm run did not reuse lint:\n%s", out)
		}
	}
}
