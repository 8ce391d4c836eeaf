// Package ghactions is what the binary does when GitHub Actions runs it
// (GITHUB_ACTIONS=true): the report's markdown goes to the job's step
// summary, and failures become annotations on the lines they name.
package ghactions

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// MaxSummary is GitHub's limit for one step's summary (1 MiB).
const MaxSummary = 1 << 20

// MaxAnnotations is how many failures are annotated; the rest are in the
// summary.
const MaxAnnotations = 10

// Publish writes the step summary and the annotations. getenv reads the
// environment; out is the job log (standard output).
func Publish(getenv func(string) string, out io.Writer, s *summary.Summary, reportMD []byte) error {
	if getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	if path := getenv("GITHUB_STEP_SUMMARY"); path != "" && len(reportMD) > 0 {
		md := StepSummary(reportMD)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
		}
		_, werr := f.Write(md)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", werr)
		}
	}
	for _, l := range Annotations(s) {
		fmt.Fprintln(out, l)
	}
	return nil
}

// StepSummary is the report cut to fit GitHub's limit, on a line boundary.
func StepSummary(md []byte) []byte {
	const note = "\n\n_(cut to fit GitHub's step summary limit; the whole report is in the run's artifacts)_\n"
	if len(md) <= MaxSummary {
		return md
	}
	cut := md[:MaxSummary-len(note)]
	if i := strings.LastIndexByte(string(cut), '\n'); i > 0 {
		cut = cut[:i]
	}
	return append(append([]byte(nil), cut...), note...)
}

var fileLine = regexp.MustCompile(`^([^\s:]+\.\w+):(\d+)$`)

// Annotations are the workflow commands for the run's failures (errors,
// or warnings when the run still succeeded) and its notes (warnings: what
// it fixed, flakes). At most MaxAnnotations, then a notice of how many
// more.
func Annotations(s *summary.Summary) []string {
	level := "error"
	if s.Status == summary.Success {
		level = "warning"
	}
	type item struct {
		level string
		f     summary.Failure
	}
	var all []item
	for _, f := range s.Failures {
		all = append(all, item{level, f})
	}
	for _, f := range s.Notes {
		all = append(all, item{"warning", f})
	}
	var out []string
	for i, it := range all {
		if i == MaxAnnotations {
			out = append(out, fmt.Sprintf("::notice title=orchestrate::%d more failure(s) and note(s) in the summary (artifacts/summary-*.json)", len(all)-MaxAnnotations))
			break
		}
		f := it.f
		props := "title=" + escapeProp(f.Phase+": "+f.Class)
		if m := fileLine.FindStringSubmatch(f.Where); m != nil {
			props = "file=" + escapeProp(m[1]) + ",line=" + m[2] + "," + props
		}
		out = append(out, fmt.Sprintf("::%s %s::%s", it.level, props, escapeData(f.Message)))
	}
	return out
}

// The escaping of GitHub's workflow commands.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
