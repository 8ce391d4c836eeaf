package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// TypeApproval is a human's approval of a change the review gate held:
// who, when, why, and the change (its SHA-256) approved.
const TypeApproval = "approval"

// AppendTo adds one record to the existing, verified log at path (the run
// directory is runDir): the chain continues from its head. A log that does
// not verify is never extended.
func AppendTo(path, runDir, phase, typ string, data map[string]any, now func() time.Time) (Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Record{}, fmt.Errorf("audit: %w", err)
	}
	res, err := Verify(bytes.NewReader(b), runDir, "")
	if err != nil {
		return Record{}, fmt.Errorf("audit: the log does not verify, so it is not extended: %w", err)
	}
	last, err := lastRecord(b)
	if err != nil {
		return Record{}, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Record{}, fmt.Errorf("audit: %w", err)
	}
	l := &Log{f: f, traceID: last.TraceID, seq: last.Seq, head: res.Head, now: now}
	r, err := l.Append("", phase, typ, data)
	if cerr := l.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audit: %w", cerr)
	}
	return r, err
}

func lastRecord(b []byte) (Record, error) {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	var r Record
	if len(lines) == 0 || len(lines[0]) == 0 {
		return r, fmt.Errorf("audit: the log is empty")
	}
	if err := json.Unmarshal(lines[len(lines)-1], &r); err != nil {
		return r, fmt.Errorf("audit: the last record: %w", err)
	}
	return r, nil
}

// Records of type typ in the log, in order. It does not verify the chain:
// call Verify first.
func Records(r io.Reader, typ string) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if rec.Type == typ {
			out = append(out, rec)
		}
	}
	return out, sc.Err()
}
