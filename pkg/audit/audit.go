// Package audit keeps a run's append-only, hash-chained event log
// (events.jsonl) and verifies it.
package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Genesis is the previous-hash of the first record.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Event types with meaning to the verifier.
const (
	TypeFile   = "file.written"
	TypeRunEnd = "run.end" // the run's last own record, binding its summary
)

// Record is one line of events.jsonl.
type Record struct {
	Seq     int64          `json:"seq"`
	Time    time.Time      `json:"time"`
	TraceID string         `json:"trace_id"`
	SpanID  string         `json:"span_id,omitempty"`
	Phase   string         `json:"phase,omitempty"`
	Type    string         `json:"type"`
	Data    map[string]any `json:"data,omitempty"`
	Prev    string         `json:"prev_hash"`
	Hash    string         `json:"hash"`
}

// FileData is the data of a TypeFile event.
type FileData struct {
	Path   string `json:"path"` // relative to the run directory
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// hashOf is the SHA-256 of the record's JSON with the hash field empty.
func hashOf(r Record) string {
	r.Hash = ""
	b, _ := json.Marshal(r) // a Record always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Log appends records to events.jsonl. It is safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	f       logFile
	traceID string
	seq     int64
	head    string
	size    int64 // bytes of whole records written
	broken  error // a half record could not be taken back: nothing more is appended
	now     func() time.Time
}

// logFile is what the log needs of its file; a test gives one that fails.
type logFile interface {
	io.Writer
	Truncate(size int64) error
	Sync() error
	Close() error
}

// Create opens a new log at path; the file must not exist.
func Create(path, traceID string, now func() time.Time) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("audit: create log: %w", err)
	}
	return newLog(f, traceID, now), nil
}

func newLog(f logFile, traceID string, now func() time.Time) *Log {
	return &Log{f: f, traceID: traceID, head: Genesis, now: now}
}

// Append writes one record and returns it with its hash.
func (l *Log) Append(spanID, phase, typ string, data map[string]any) (Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != nil {
		return Record{}, l.broken
	}
	if l.f == nil {
		return Record{}, fmt.Errorf("audit: append %s event: the log is closed", typ)
	}
	r := Record{
		Seq: l.seq + 1, Time: l.now().UTC(), TraceID: l.traceID, SpanID: spanID,
		Phase: phase, Type: typ, Data: data, Prev: l.head,
	}
	// Round-trip data through JSON so the hash is computed over exactly
	// what a verifier will read back.
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Record{}, fmt.Errorf("audit: encode %s event: %w", typ, err)
		}
		r.Data = nil
		if err := json.Unmarshal(b, &r.Data); err != nil {
			return Record{}, fmt.Errorf("audit: encode %s event: %w", typ, err)
		}
	}
	r.Hash = hashOf(r)
	line, _ := json.Marshal(r)
	line = append(line, '\n')
	if n, err := l.f.Write(line); err != nil || n != len(line) {
		if err == nil {
			err = io.ErrShortWrite
		}
		// Take back a half record: the log ends on a whole one, and the
		// next append (when there is room again) continues the chain.
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				l.broken = fmt.Errorf("audit: append %s event: %w; and a half record could not be removed (%v): the log takes no more records", typ, err, terr)
				return Record{}, l.broken
			}
		}
		return Record{}, fmt.Errorf("audit: append %s event: %w", typ, err)
	}
	l.seq++
	l.size += int64(len(line))
	l.head = r.Hash
	return r, nil
}

// Head is the hash of the last record written.
func (l *Log) Head() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Problem is the first thing Verify found wrong.
type Problem struct {
	Line   int    // 1-based line of events.jsonl, 0 when not tied to a line
	Seq    int64  // the record's sequence number, when it parsed
	Reason string //
}

func (p *Problem) Error() string {
	if p.Line == 0 {
		return p.Reason
	}
	return fmt.Sprintf("record %d (line %d): %s", p.Seq, p.Line, p.Reason)
}

// Result is what Verify read.
type Result struct {
	Records int
	Files   int
	Head    string
	// Last is the last record; End the last record of type TypeRunEnd
	// (nil when there is none: the log was cut short or the run goes on).
	Last Record
	End  *Record
	// Recorded holds every path a TypeFile record names.
	Recorded map[string]bool
}

// Verify checks that the chain in r is unbroken, that its head equals
// wantHead (when not empty) and that every file a record names, relative to
// runDir, still has the recorded hash. A file written more than once is
// checked against its last record.
func Verify(r io.Reader, runDir, wantHead string) (Result, error) {
	var res Result
	prev := Genesis
	last := map[string]struct {
		sum  string
		line int
		seq  int64
	}{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			return res, &Problem{Line: line, Reason: "empty line in the log"}
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return res, &Problem{Line: line, Reason: fmt.Sprintf("not a valid record: %v", err)}
		}
		if rec.Seq != int64(line) {
			return res, &Problem{Line: line, Seq: rec.Seq, Reason: fmt.Sprintf("sequence %d where %d was expected", rec.Seq, line)}
		}
		if rec.Prev != prev {
			return res, &Problem{Line: line, Seq: rec.Seq, Reason: "prev_hash does not match the previous record's hash: the chain is broken"}
		}
		if got := hashOf(rec); got != rec.Hash {
			return res, &Problem{Line: line, Seq: rec.Seq, Reason: "hash does not match the record's content: the record was changed"}
		}
		prev = rec.Hash
		res.Last = rec
		if rec.Type == TypeRunEnd {
			end := rec
			res.End = &end
		}
		if rec.Type == TypeFile {
			p, _ := rec.Data["path"].(string)
			s, _ := rec.Data["sha256"].(string)
			last[p] = struct {
				sum  string
				line int
				seq  int64
			}{s, line, rec.Seq}
		}
		res.Records++
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("audit: read log: %w", err)
	}
	res.Head = prev
	res.Recorded = map[string]bool{}
	for p := range last {
		res.Recorded[p] = true
	}
	if wantHead != "" && wantHead != prev {
		return res, &Problem{Reason: fmt.Sprintf("the log's head %s is not the audit_head %s recorded in the summary: records were added or removed", short(prev), short(wantHead))}
	}
	paths := make([]string, 0, len(last))
	for p := range last {
		paths = append(paths, p)
	}
	// Report the earliest bad record, not a random one.
	sortByLine(paths, func(p string) int { return last[p].line })
	for _, p := range paths {
		want := last[p]
		b, err := os.ReadFile(filepath.Join(runDir, filepath.FromSlash(p)))
		if err != nil {
			return res, &Problem{Line: want.line, Seq: want.seq, Reason: fmt.Sprintf("file %s: %v", p, err)}
		}
		if got := SHA256(b); got != want.sum {
			return res, &Problem{Line: want.line, Seq: want.seq, Reason: fmt.Sprintf("file %s changed since it was recorded (sha256 %s, recorded %s)", p, short(got), short(want.sum))}
		}
		res.Files++
	}
	return res, nil
}

// SHA256 is the hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func sortByLine(ps []string, line func(string) int) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && line(ps[j]) < line(ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
