package ui

import (
	"bytes"
	"io"
	"regexp"
	"sync"
)

// TranscriptFile is what the terminal showed of a run, kept in its
// directory without colour codes.
const TranscriptFile = "transcript.txt"

// Transcript passes everything to the terminal and keeps the lines as
// they were left on screen: colour and cursor codes taken out, a line
// redrawn in place (a spinner, after "\r") kept in its last state only.
type Transcript struct {
	mu   sync.Mutex
	w    io.Writer
	done bytes.Buffer // finished lines
	line []byte       // the line being drawn
}

// NewTranscript tees w.
func NewTranscript(w io.Writer) *Transcript { return &Transcript{w: w} }

var csi = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\\\-_]")

// Write implements io.Writer.
func (t *Transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range csi.ReplaceAll(p, nil) {
		switch b {
		case '\r':
			t.line = t.line[:0]
		case '\n':
			t.done.Write(t.line)
			t.done.WriteByte('\n')
			t.line = t.line[:0]
		default:
			t.line = append(t.line, b)
		}
	}
	return t.w.Write(p)
}

// Text is the transcript so far: the finished lines, then the one being
// drawn, if any.
func (t *Transcript) Text() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]byte(nil), t.done.Bytes()...)
	if len(t.line) > 0 {
		out = append(append(out, t.line...), '\n')
	}
	return out
}
