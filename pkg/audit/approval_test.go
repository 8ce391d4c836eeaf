package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An approval extends a verified chain; the chain still verifies and its
// head is the approval; editing the approval is caught; a log that does
// not verify is not extended.
func TestAppendToExtendsAVerifiedChain(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "events.jsonl")
	l, err := Create(p, strings.Repeat("a", 32), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = l.Append("", "", "run.start", nil)
	_, _ = l.Append("", "review", "phase.end", map[string]any{"status": "held"})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := AppendTo(p, dir, "review", TypeApproval, map[string]any{"by": "a person", "reason": "checked by hand"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seq != 3 || rec.TraceID != strings.Repeat("a", 32) {
		t.Fatalf("record %+v", rec)
	}
	b, _ := os.ReadFile(p)
	res, err := Verify(bytes.NewReader(b), dir, rec.Hash)
	if err != nil || res.Records != 3 {
		t.Fatalf("verify: %v %+v", err, res)
	}
	recs, err := Records(bytes.NewReader(b), TypeApproval)
	if err != nil || len(recs) != 1 || recs[0].Data["reason"] != "checked by hand" {
		t.Fatalf("approvals %+v %v", recs, err)
	}
	edited := bytes.Replace(b, []byte("checked by hand"), []byte("never checked"), 1)
	if _, err := Verify(bytes.NewReader(edited), dir, ""); err == nil || !strings.Contains(err.Error(), "record 3") {
		t.Fatalf("an edited approval verified: %v", err)
	}
	if err := os.WriteFile(p, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := AppendTo(p, dir, "review", TypeApproval, map[string]any{"by": "x"}, time.Now); err == nil {
		t.Fatal("a broken log was extended")
	}
}
