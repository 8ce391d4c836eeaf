package audit

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullFile takes room bytes, then writes part of a record and fails, like
// a file system that fills up.
type fullFile struct {
	buf       bytes.Buffer
	room      int
	truncFail bool
}

func (f *fullFile) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) <= f.room {
		return f.buf.Write(p)
	}
	n := f.room - f.buf.Len()
	if n < 0 {
		n = 0
	}
	f.buf.Write(p[:n])
	return n, syscall.ENOSPC
}

func (f *fullFile) Truncate(n int64) error {
	if f.truncFail {
		return syscall.EIO
	}
	f.buf.Truncate(int(n))
	return nil
}
func (f *fullFile) Sync() error  { return nil }
func (f *fullFile) Close() error { return nil }

// A record the disk has no room for is taken back whole: the log never
// ends in half a record, and once there is room the chain goes on.
func TestAppendOnAFullDiskLeavesNoHalfRecord(t *testing.T) {
	f := &fullFile{room: 400}
	l := newLog(f, "trace", func() time.Time { return time.Unix(0, 0) })
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = l.Append("", "p", "x", map[string]any{"i": i})
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v, want ENOSPC", err)
	}
	if !bytes.HasSuffix(f.buf.Bytes(), []byte("\n")) {
		t.Fatalf("the log ends in half a record: %q", f.buf.String())
	}
	if _, err := Verify(bytes.NewReader(f.buf.Bytes()), t.TempDir(), l.Head()); err != nil {
		t.Fatalf("the log after the failed append: %v", err)
	}
	f.room = 1 << 20
	if _, err := l.Append("", "p", "after", nil); err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bytes.NewReader(f.buf.Bytes()), t.TempDir(), l.Head())
	if err != nil {
		t.Fatalf("the chain after room came back: %v", err)
	}
	if res.Records != strings.Count(f.buf.String(), "\n") {
		t.Errorf("%d records verified, %d lines", res.Records, strings.Count(f.buf.String(), "\n"))
	}
}

// When the half record cannot be taken back the log takes nothing more.
func TestAppendStopsWhenHalfRecordStays(t *testing.T) {
	f := &fullFile{room: 100, truncFail: true}
	l := newLog(f, "trace", time.Now)
	_, err := l.Append("", "p", "x", map[string]any{"long": strings.Repeat("a", 200)})
	if err == nil || !strings.Contains(err.Error(), "takes no more records") {
		t.Fatalf("got %v", err)
	}
	f.room = 1 << 20
	if _, err := l.Append("", "p", "y", nil); err == nil {
		t.Fatal("appended after a half record")
	}
}
