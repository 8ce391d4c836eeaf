package artifact

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// The first evidence write that fails is returned, kept as the run's
// error and reported once; the file event is not recorded for it.
func TestFailedWriteIsTheRunsErrorReportedOnce(t *testing.T) {
	r, err := Create(t.TempDir(), "r1", "trace", redact.New(), now)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var told []error
	r.OnFail(func(err error) { told = append(told, err) })
	if _, err := r.Write("", "", "ok.txt", []byte("fine")); err != nil || r.Err() != nil {
		t.Fatalf("a good write: %v, %v", err, r.Err())
	}
	r.write = func(string, []byte, fs.FileMode) error { return syscall.ENOSPC }
	_, err1 := r.Write("", "", "a.txt", []byte("x"))
	_, err2 := r.Sub("01-x", "x", "s").WriteJSON("b.json", map[string]int{"a": 1})
	if !errors.Is(err1, syscall.ENOSPC) || !errors.Is(err2, syscall.ENOSPC) {
		t.Fatalf("write errors %v, %v; want ENOSPC", err1, err2)
	}
	if len(told) != 1 || !strings.Contains(told[0].Error(), "evidence a.txt") || r.Err() != told[0] {
		t.Errorf("told %v, Err %v; want the first failure once", told, r.Err())
	}
	ev, _ := os.ReadFile(r.Dir + "/" + EventsFile)
	if strings.Contains(string(ev), "a.txt") {
		t.Error("a file that was not written is recorded")
	}
}

// Event data is redacted before it reaches the log.
func TestEventDataIsRedacted(t *testing.T) {
	r, err := Create(t.TempDir(), "r1", "trace", redact.New(`se"cret-value-123`), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Event("", "", "decision", map[string]any{"reason": `key se"cret-value-123`}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	ev, _ := os.ReadFile(r.Dir + "/" + EventsFile)
	if strings.Contains(string(ev), "cret-value-123") || !strings.Contains(string(ev), "REDACTED") {
		t.Errorf("events: %s", ev)
	}
}
