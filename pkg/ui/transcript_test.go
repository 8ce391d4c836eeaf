package ui

import (
	"bytes"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// The transcript of the live, coloured terminal is its final screen in
// plain text: no escape codes, no spinner frames.
func TestTranscriptOfTheLiveTerminal(t *testing.T) {
	var term bytes.Buffer
	tr := NewTranscript(&term)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	l := newLive(tr, func() time.Time { return now })
	l.Info("run x: artifacts in /tmp/a")
	l.PhaseStarted("deploy")
	l.Step("deploy", "image built: svc:x (6.8 MB)")
	l.PhaseFinished(summary.Phase{Name: "deploy", Status: "success", DurationSeconds: 1.5}, "")
	l.Stop()
	got := string(tr.Text())
	want := "run x: artifacts in /tmp/a\n✓ deploy    1.50s\n"
	if got != want {
		t.Errorf("transcript:\n%q\nwant\n%q", got, want)
	}
	if !bytes.Contains(term.Bytes(), []byte("\x1b[")) || !bytes.Contains(term.Bytes(), []byte("image built: svc:x")) {
		t.Errorf("the terminal did not get the live drawing with the step: %q", term.String())
	}
}
