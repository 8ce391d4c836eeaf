package main

import (
	"os/exec"
	"path/filepath"
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
