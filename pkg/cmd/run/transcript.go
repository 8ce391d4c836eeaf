package run

import (
	"fmt"
	"path/filepath"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/ui"
)

// withTranscript returns options whose stderr is also kept, as the
// terminal left it, for the run's transcript.txt.
func withTranscript(opts *Options) (*Options, *ui.Transcript) {
	tr := ui.NewTranscript(opts.F.IOStreams.ErrOut)
	ios := *opts.F.IOStreams
	ios.ErrOut = tr
	f := *opts.F
	f.IOStreams = &ios
	o := *opts
	o.F = &f
	return &o, tr
}

// saveTranscript writes what the terminal showed into the run directory,
// secrets redacted like every artifact. It is written after the summary,
// so the audit log does not record it.
func saveTranscript(opts *Options, run *artifact.Run, tr *ui.Transcript) {
	text := run.Redactor().String(string(tr.Text()))
	if err := artifact.WriteAtomic(filepath.Join(run.Dir, ui.TranscriptFile), []byte(text), 0o644); err != nil {
		fmt.Fprintf(opts.F.IOStreams.ErrOut, "orchestrate: transcript: %v\n", err)
	}
}
