// Package iostreams carries the standard streams and what is known about
// them, so commands never touch os.Stdout directly and tests get buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's input and outputs.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stderrTTY bool
	stdinTTY  bool
	color     bool
}

// System returns the process's streams. Colour and live progress are on
// only when stderr is a terminal, NO_COLOR is unset and TERM is not dumb.
func System(getenv func(string) string) *IOStreams {
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stderrTTY: tty,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		color:     tty && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb",
	}
}

// Test returns streams backed by buffers, not a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStderrTTY reports whether progress can be drawn live.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether styled output is wanted.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetTTY forces the terminal flags (tests).
func (s *IOStreams) SetTTY(tty, color bool) { s.stderrTTY, s.color = tty, color }

// IsStdinTTY reports whether a question can be asked and answered.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// SetStdinTTY forces the stdin terminal flag (tests).
func (s *IOStreams) SetStdinTTY(tty bool) { s.stdinTTY = tty }
