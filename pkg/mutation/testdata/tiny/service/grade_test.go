package main

import (
	"os"
	"testing"
)

func TestGrade(t *testing.T) {
	for score, want := range map[int]string{95: "A", 10: "fail"} {
		if got := grade(score); got != want {
			t.Errorf("grade(%d) = %q, want %q", score, got, want)
		}
	}
}

// TestFlaky fails on every other run: a test that fails on the original
// code kills no mutant.
func TestFlaky(t *testing.T) {
	p := os.Getenv("TINY_FLAKY")
	if p == "" {
		return
	}
	if _, err := os.Stat(p); err == nil {
		os.Remove(p)
		return
	}
	os.WriteFile(p, nil, 0o644)
	t.Fatal("fails every other run")
}
