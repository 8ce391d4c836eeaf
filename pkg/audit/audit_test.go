package audit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func writeLog(t *testing.T) (dir string, head string) {
	t.Helper()
	dir = t.TempDir()
	l, err := Create(filepath.Join(dir, "events.jsonl"), "trace", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append("s1", "report", "phase.start", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append("s1", "report", TypeFile, map[string]any{"path": "a.txt", "sha256": SHA256([]byte("hello")), "bytes": 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append("s1", "report", "phase.end", nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, l.Head()
}

func verify(t *testing.T, dir, head string) (Result, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return Verify(bytes.NewReader(b), dir, head)
}

func TestVerifyIntactLog(t *testing.T) {
	dir, head := writeLog(t)
	res, err := verify(t, dir, head)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 3 || res.Files != 1 || res.Head != head {
		t.Fatalf("got %+v", res)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := map[string]struct {
		mutate  func(t *testing.T, dir string)
		wantSeq int64
		want    string
	}{
		"one byte of a record": {func(t *testing.T, dir string) {
			p := filepath.Join(dir, "events.jsonl")
			b, _ := os.ReadFile(p)
			b = bytes.Replace(b, []byte(`"n":1`), []byte(`"n":2`), 1)
			os.WriteFile(p, b, 0o644)
		}, 1, "record was changed"},
		"a recorded file": {func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hellO"), 0o644)
		}, 2, "a.txt changed"},
		"a record removed": {func(t *testing.T, dir string) {
			p := filepath.Join(dir, "events.jsonl")
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(string(b), "\n")
			os.WriteFile(p, []byte(lines[0]+lines[2]), 0o644)
		}, 3, "sequence 3 where 2"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir, head := writeLog(t)
			c.mutate(t, dir)
			_, err := verify(t, dir, head)
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("got %v, want a Problem", err)
			}
			if p.Seq != c.wantSeq || !strings.Contains(p.Error(), c.want) {
				t.Fatalf("got %q (seq %d), want seq %d and %q", p.Error(), p.Seq, c.wantSeq, c.want)
			}
		})
	}
}

func TestVerifyHeadMismatch(t *testing.T) {
	dir, _ := writeLog(t)
	if _, err := verify(t, dir, strings.Repeat("a", 64)); err == nil || !strings.Contains(err.Error(), "audit_head") {
		t.Fatalf("got %v", err)
	}
}
