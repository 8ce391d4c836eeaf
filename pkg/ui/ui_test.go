package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/iostreams"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestPlainIsOneStableLinePerEvent(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	p := New(ios, time.Now)
	p.PhaseStarted("report")
	p.PhaseFinished(summary.Phase{Name: "report", Status: "success", DurationSeconds: 0.25}, "")
	p.PhaseFinished(summary.Phase{Name: "lint", Status: "skipped"}, "skipped by --skip")
	p.PhaseFinished(summary.Phase{Name: "deploy", Status: "failed", DurationSeconds: 1}, "docker down")
	p.Stop()
	want := "[report] started\n[report] success in 0.25s\n[lint] skipped: skipped by --skip\n[deploy] failed in 1.00s: docker down\n"
	if errOut.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", errOut, want)
	}
	if strings.Contains(errOut.String(), "\x1b[") {
		t.Fatal("escape codes in plain output")
	}
}

func TestLiveDrawsSpinnerAndDurations(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	ios.SetTTY(true, true)
	p := New(ios, time.Now)
	p.PhaseStarted("scaffold")
	time.Sleep(350 * time.Millisecond) // a few spinner frames
	p.PhaseFinished(summary.Phase{Name: "scaffold", Status: "success", DurationSeconds: 0.25}, "")
	p.Stop()
	out := errOut.String()
	frames := 0
	for _, f := range spinner {
		frames += strings.Count(out, f)
	}
	if frames < 2 || !strings.Contains(out, "✓") || !strings.Contains(out, "0.25s") {
		t.Fatalf("live output %q", out)
	}
}
