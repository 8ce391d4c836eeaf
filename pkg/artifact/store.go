// Package artifact is a run's directory under artifacts/: every byte a run
// keeps goes through it, redacted, written atomically and recorded in the
// run's audit log.
package artifact

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Layout names inside a run directory.
const (
	RunFile    = "run.json"
	EventsFile = "events.jsonl"
)

var runIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$`)

// ValidRunID reports whether id is usable as a directory name on every OS.
func ValidRunID(id string) error {
	if !runIDRe.MatchString(id) {
		return fmt.Errorf("run id %q: use letters, digits, '.', '_' and '-' (at most 80), starting with a letter or digit", id)
	}
	return nil
}

// NewRunID returns an id that sorts by start time and is unique:
// 20260102T030405Z-1a2b3c.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// NewTraceID returns a W3C-style 16-byte trace id.
func NewTraceID() string { return randHex(16) }

// NewSpanID returns a W3C-style 8-byte span id.
func NewSpanID() string { return randHex(8) }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ErrRunExists means the run directory is already there.
var ErrRunExists = errors.New("run already exists")

// Run is one run's directory.
type Run struct {
	ID      string
	Dir     string // absolute path of artifacts/<run-id>
	Root    string // absolute path of artifacts/
	TraceID string
	red     *redact.Redactor
	log     *audit.Log

	// write stores a file; WriteAtomic but in tests.
	write func(path string, data []byte, perm fs.FileMode) error

	mu     sync.Mutex
	err    error       // the first evidence that could not be written
	onFail func(error) // told of it, once
}

// OnFail sets what happens at the first write that fails: evidence that
// cannot be kept makes the run unauditable, so the caller stops it.
func (r *Run) OnFail(fn func(error)) {
	r.mu.Lock()
	r.onFail = fn
	r.mu.Unlock()
}

// Err is the first evidence write that failed, nil while every one held.
func (r *Run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// fail records err as the run's first failed write and tells OnFail.
func (r *Run) fail(err error) error {
	r.mu.Lock()
	first := r.err == nil
	if first {
		r.err = err
	}
	fn := r.onFail
	r.mu.Unlock()
	if first && fn != nil {
		fn(err)
	}
	return err
}

// GoMod is written at the artifacts root when it has none.
const GoMod = "// A module of its own so the go command leaves artifacts/ alone: runs keep\n// generated Go sources here (as the model wrote them, before validation).\nmodule artifacts\n"

// Create makes artifacts/<id>/ (refusing one that exists, so two runs never
// share a directory) and starts its audit log.
func Create(root, id, traceID string, red *redact.Redactor, now func() time.Time) (*Run, error) {
	if err := ValidRunID(id); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("artifacts dir %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("artifacts dir %s cannot be created: %w (choose another with --artifacts)", abs, err)
	}
	// Runs keep Go sources (answers as the model wrote them): a module of
	// its own keeps them out of `go build ./...` in a workdir that is a module.
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); os.IsNotExist(err) {
		_ = CreateAtomic(filepath.Join(abs, "go.mod"), []byte(GoMod), 0o644)
	}
	dir := filepath.Join(abs, id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("run %q already has a directory at %s: choose another --run-id or leave it empty for a new one: %w", id, dir, ErrRunExists)
		}
		return nil, fmt.Errorf("artifacts dir %s is not writable: %w (choose another with --artifacts)", abs, err)
	}
	l, err := audit.Create(filepath.Join(dir, EventsFile), traceID, now)
	if err != nil {
		return nil, err
	}
	return &Run{ID: id, Dir: dir, Root: abs, TraceID: traceID, red: red, log: l, write: WriteAtomic}, nil
}

// Redactor is the run's redactor.
func (r *Run) Redactor() *redact.Redactor { return r.red }

// Event appends an audit event, its values redacted.
func (r *Run) Event(spanID, phase, typ string, data map[string]any) error {
	data, err := r.redactData(data)
	if err != nil {
		return r.fail(err)
	}
	if _, err := r.log.Append(spanID, phase, typ, data); err != nil {
		return r.fail(fmt.Errorf("evidence: %w", err))
	}
	return nil
}

// redactData passes an event's data through the redactor as the JSON the
// log will hold, so a secret in a reason or a path is never recorded.
func (r *Run) redactData(data map[string]any) (map[string]any, error) {
	if data == nil || r.red == nil {
		return data, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("evidence: encode event: %w", err)
	}
	clean := r.red.Bytes(b)
	if len(clean) == len(b) && string(clean) == string(b) {
		return data, nil
	}
	var out map[string]any
	if err := json.Unmarshal(clean, &out); err != nil {
		// The secret cut through the JSON itself: keep that there was data.
		return map[string]any{"redacted": "the event's data held a secret and is not kept"}, nil
	}
	return out, nil
}

// Head is the audit log's head hash.
func (r *Run) Head() string { return r.log.Head() }

// Close closes the audit log.
func (r *Run) Close() error { return r.log.Close() }

// Write stores data at rel (slash-separated, inside the run directory),
// redacted and atomically, and records a file event with its hash.
func (r *Run) Write(spanID, phase, rel string, data []byte) (string, error) {
	clean := path.Clean(rel)
	if path.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
		return "", fmt.Errorf("artifact path %q leaves the run directory", rel)
	}
	data = r.red.Bytes(data)
	full := filepath.Join(r.Dir, filepath.FromSlash(clean))
	if err := r.write(full, data, 0o644); err != nil {
		return "", r.fail(fmt.Errorf("evidence %s: %w", clean, err))
	}
	sum := audit.SHA256(data)
	if err := r.Event(spanID, phase, audit.TypeFile, map[string]any{"path": clean, "sha256": sum, "bytes": len(data)}); err != nil {
		return "", err
	}
	return full, nil
}

// WriteJSON is Write for an indented JSON encoding of v.
func (r *Run) WriteJSON(spanID, phase, rel string, v any) (string, error) {
	b, err := MarshalJSON(v)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", rel, err)
	}
	return r.Write(spanID, phase, rel, b)
}

// MarshalJSON is the project's JSON style on disk: two-space indent, a
// final newline, no HTML escaping.
func MarshalJSON(v any) ([]byte, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

// Sub is a view of the run confined to one folder, handed to a phase so it
// writes only under its own <NN>-<phase>/ directory.
type Sub struct {
	run    *Run
	prefix string
	phase  string
	span   string
}

// Sub returns a view rooted at rel for the given phase and span.
func (r *Run) Sub(rel, phase, spanID string) *Sub {
	return &Sub{run: r, prefix: path.Clean(rel), phase: phase, span: spanID}
}

// Dir is the absolute directory of the view.
func (s *Sub) Dir() string { return filepath.Join(s.run.Dir, filepath.FromSlash(s.prefix)) }

// Rel is the view's path relative to the run directory.
func (s *Sub) Rel(name string) string { return path.Join(s.prefix, name) }

// Write stores a file under the view.
func (s *Sub) Write(name string, data []byte) (string, error) {
	return s.run.Write(s.span, s.phase, path.Join(s.prefix, name), data)
}

// WriteJSON stores v as JSON under the view.
func (s *Sub) WriteJSON(name string, v any) (string, error) {
	return s.run.WriteJSON(s.span, s.phase, path.Join(s.prefix, name), v)
}

// Event records an audit event for the view's phase.
func (s *Sub) Event(typ string, data map[string]any) error {
	return s.run.Event(s.span, s.phase, typ, data)
}

// Redact redacts s with the run's redactor.
func (s *Sub) Redact(v string) string { return s.run.red.String(v) }
