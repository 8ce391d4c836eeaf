package gotool

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A real module with one passing, one failing and one skipped test, run by
// the real go command.
func TestRunAndParseTestJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.24\n")
	write("m.go", "package m\n\nfunc Add(a, b int) int {\n\tif a < 0 {\n\t\treturn 0\n\t}\n\treturn a + b\n}\n")
	write("m_test.go", `package m

import "testing"

func TestAdd(t *testing.T) { if Add(1, 2) != 3 { t.Fatal("add") } }
func TestWrong(t *testing.T) { t.Run("sub", func(t *testing.T) { t.Errorf("got %d, want 4", Add(1, 2)) }) }
func TestSkipped(t *testing.T) { t.Skip("not here") }
`)
	var log strings.Builder
	g := Go{Log: &log}
	r, err := g.Run(context.Background(), dir, "test", "-count=1", "-json", "-cover", ".")
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatal("a failing test exited 0")
	}
	rep := ParseTestJSON([]byte(r.Output))
	got := map[string]string{}
	for _, tr := range rep.Tests {
		got[tr.Test] = tr.Action
	}
	if got["TestAdd"] != "pass" || got["TestWrong"] != "fail" || got["TestWrong/sub"] != "fail" || got["TestSkipped"] != "skip" {
		t.Errorf("tests = %v", got)
	}
	if f := rep.Failed(); len(f) != 1 || f[0].Test != "TestWrong" || !strings.Contains(f[0].Output, "got 3, want 4") {
		t.Errorf("Failed = %+v", f)
	}
	if c := rep.Coverage["example.com/m"]; c <= 0 || c >= 100 {
		t.Errorf("coverage = %v", rep.Coverage)
	}
	if !strings.Contains(log.String(), "go test -count=1") || !strings.Contains(log.String(), "exit 1") {
		t.Errorf("log:\n%s", log.String())
	}
	write("m.go", "package m\n\nfunc Add(a, b int) int { return undefined }\n")
	r, err = g.Run(context.Background(), dir, "test", "-json", ".")
	if err != nil || r.OK() {
		t.Fatalf("build failure: %v ok=%v", err, r.OK())
	}
	if rep := ParseTestJSON([]byte(r.Output)); !strings.Contains(rep.Output, "undefined: undefined") {
		t.Errorf("build output lost:\n%s", rep.Output)
	}
}
