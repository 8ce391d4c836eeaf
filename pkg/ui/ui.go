// Package ui draws a run's progress on stderr: a styled, live list of
// phases on a terminal; plain, stable lines anywhere else. It is the only
// package that imports lipgloss.
package ui

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/orchestrate-dev/orchestrate/pkg/iostreams"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Progress is told what the run does.
type Progress interface {
	PhaseStarted(name string)
	PhaseFinished(rec summary.Phase, note string)
	Info(format string, args ...any)
	Stop()
}

// New picks the renderer for the streams.
func New(ios *iostreams.IOStreams, now func() time.Time) Progress {
	if ios.IsStderrTTY() && ios.ColorEnabled() {
		return newLive(ios.ErrOut, now)
	}
	return &plain{w: ios.ErrOut}
}

// plain writes one line per event: stable for logs and for grep.
type plain struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *plain) PhaseStarted(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%s] started\n", name)
}

func (p *plain) PhaseFinished(rec summary.Phase, note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch rec.Status {
	case "skipped":
		fmt.Fprintf(p.w, "[%s] skipped: %s\n", rec.Name, note)
	case "success":
		fmt.Fprintf(p.w, "[%s] success in %.2fs%s\n", rec.Name, rec.DurationSeconds, aside(note))
	default:
		fmt.Fprintf(p.w, "[%s] %s in %.2fs: %s\n", rec.Name, rec.Status, rec.DurationSeconds, note)
	}
}

// aside is a successful phase's note in parentheses (a phase reused from
// an earlier run says so), or nothing.
func aside(note string) string {
	if note == "" {
		return ""
	}
	return " (" + note + ")"
}

func (p *plain) Info(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "orchestrate: "+format+"\n", args...)
}

func (p *plain) Stop() {}

// Styles are data; they become lipgloss styles only here, at the edge.
var (
	styleOK      = lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Bold(true)
	styleFail    = lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true)
	stylePartial = lipgloss.NewStyle().Foreground(lipgloss.Color("3")).Bold(true)
	styleDim     = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	styleName    = lipgloss.NewStyle().Width(9)
	styleInfo    = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
)

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// live redraws the running phase's line with a spinner and its elapsed
// time; a finished phase's line stays, with its duration.
type live struct {
	mu      sync.Mutex
	w       io.Writer
	now     func() time.Time
	running string
	step    string // the running phase's latest step
	started time.Time
	frame   int
	stop    chan struct{}
	done    chan struct{}
}

func newLive(w io.Writer, now func() time.Time) *live {
	l := &live{w: w, now: now, stop: make(chan struct{}), done: make(chan struct{})}
	go l.tick()
	return l
}

func (l *live) tick() {
	defer close(l.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			if l.running != "" {
				l.frame++
				l.drawRunning()
			}
			l.mu.Unlock()
		}
	}
}

func (l *live) drawRunning() {
	step := ""
	if l.step != "" {
		step = " " + styleDim.Render(clip(l.step, maxStep))
	}
	fmt.Fprintf(l.w, "\r\x1b[2K%s %s %s%s", styleInfo.Render(spinner[l.frame%len(spinner)]), styleName.Render(l.running),
		styleDim.Render(fmt.Sprintf("%.1fs", l.now().Sub(l.started).Seconds())), step)
}

// maxStep keeps the spinner's line on one line of a narrow terminal.
const maxStep = 60

// Step shows what the running phase is doing now (its latest log line)
// beside its spinner, until the next step or the phase's end.
func (l *live) Step(phase, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if phase != l.running {
		return
	}
	l.step = line
	l.drawRunning()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (l *live) PhaseStarted(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running, l.started, l.step = name, l.now(), ""
	l.drawRunning()
}

func (l *live) PhaseFinished(rec summary.Phase, note string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running, l.step = "", ""
	var mark, tail string
	switch rec.Status {
	case "success":
		mark, tail = styleOK.Render("✓"), styleDim.Render(fmt.Sprintf("%.2fs%s", rec.DurationSeconds, aside(note)))
	case "skipped":
		mark, tail = styleDim.Render("–"), styleDim.Render("skipped: "+note)
	case "partial":
		mark, tail = stylePartial.Render("!"), fmt.Sprintf("%s %s", styleDim.Render(fmt.Sprintf("%.2fs", rec.DurationSeconds)), note)
	default:
		mark, tail = styleFail.Render("✗"), fmt.Sprintf("%s %s", styleDim.Render(fmt.Sprintf("%.2fs", rec.DurationSeconds)), styleFail.Render(note))
	}
	fmt.Fprintf(l.w, "\r\x1b[2K%s %s %s\n", mark, styleName.Render(rec.Name), tail)
}

func (l *live) Info(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "\r\x1b[2K%s\n", styleInfo.Render(fmt.Sprintf(format, args...)))
	if l.running != "" {
		l.drawRunning()
	}
}

func (l *live) Stop() {
	close(l.stop)
	<-l.done
}
