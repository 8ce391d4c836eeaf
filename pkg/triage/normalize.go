package triage

import (
	"regexp"
	"strings"
)

var (
	durationRe = regexp.MustCompile(`\(\d+(\.\d+)?s\)|\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`)
	hostPortRe = regexp.MustCompile(`(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]):\d+`)
	addrRe     = regexp.MustCompile(`0x[0-9a-fA-F]+`)
	goroutRe   = regexp.MustCompile(`goroutine \d+( gp=\S+ m=\S+( mp=\S+)?)?`)
	timeRe     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?`)
	tmpRe      = regexp.MustCompile(`/tmp/[\w.\-/]*?/([\w\-]+\.go)`)
	gorootRe   = regexp.MustCompile(`\S*/src/(runtime|testing|net|reflect|sync|internal)/`)
	stdLineRe  = regexp.MustCompile(`(\$GOROOT/src/\S+\.go):\d+`) // the line moves between Go releases
	numRe      = regexp.MustCompile(`\b\d+\b`)
	spaceRe    = regexp.MustCompile(`\s+`)
)

// Normalize removes what changes from run to run and machine to machine
// but says nothing about the failure: durations, host ports, addresses,
// goroutine ids, timestamps, temporary directories, the Go root.
func Normalize(s string) string {
	s = timeRe.ReplaceAllString(s, "<time>")
	s = durationRe.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "(") {
			return "(<d>)"
		}
		return "<d>"
	})
	s = hostPortRe.ReplaceAllString(s, "$1:<port>")
	s = addrRe.ReplaceAllString(s, "0x?")
	s = goroutRe.ReplaceAllString(s, "goroutine ?")
	s = tmpRe.ReplaceAllString(s, "$1")
	s = gorootRe.ReplaceAllString(s, "$$GOROOT/src/$1/")
	s = stdLineRe.ReplaceAllString(s, "$1")
	return s
}

// Signature is a message reduced to its shape: normalised, numbers
// replaced, white space folded.
func Signature(msg string) string {
	s := Normalize(msg)
	s = numRe.ReplaceAllString(s, "N")
	s = spaceRe.ReplaceAllString(strings.TrimSpace(s), " ")
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

var interestingRe = regexp.MustCompile(`(?i)(--- FAIL|^FAIL|panic:|fatal error|error|\bgot\b|\bwant\b|expected|undefined|cannot|refused|reset by peer|timed out|deadline|not used|unhealthy|exited|\.go:\d+)`)

// Excerpt picks the lines of a log that matter, normalised: each line that
// looks like an error with the two after it, then the last lines, at most
// maxLines lines and maxBytes bytes, whatever the size of the log.
func Excerpt(log string, maxLines, maxBytes int) []string {
	lines := strings.Split(log, "\n")
	keep := map[int]bool{}
	picked := 0
	strong := map[int]bool{}
	for _, i := range candidates(lines) {
		strong[i] = true
	}
	for i, l := range lines {
		if picked >= maxLines {
			break
		}
		if strong[i] && interestingRe.MatchString(l) {
			for j := i; j < len(lines) && j <= i+2; j++ {
				if !keep[j] && strings.TrimSpace(lines[j]) != "" {
					keep[j] = true
					picked++
				}
			}
		}
	}
	// The end of a log is often where it says what went wrong.
	for j, n := len(lines)-1, 0; j >= 0 && n < 3; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			keep[j] = true
			n++
		}
	}
	var out []string
	size := 0
	last := -1
	for i, l := range lines {
		if !keep[i] {
			continue
		}
		if last >= 0 && i > last+1 {
			out = append(out, "…")
		}
		last = i
		l = Normalize(strings.TrimRight(l, " \t"))
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		if size+len(l) > maxBytes || len(out) >= maxLines+maxLines/2 {
			out = append(out, "… (cut)")
			break
		}
		size += len(l) + 1
		out = append(out, l)
	}
	return out
}
