// Package triage is the deterministic failure classifier of DESIGN.md's
// taxonomy. It reads what tools print — `go test` (plain or -json), `go
// build`, Docker build output, container logs, HTTP errors — and says, per
// failure, its class, owner, location, a signature (class, location and
// normalised message: the same failure gives the same signature across
// runs and machines) and the evidence lines. It works on logs from
// anywhere, not only from this run.
package triage

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
)

// Failure is one classified failure.
type Failure struct {
	Class     failure.Class `json:"class"`
	Owner     string        `json:"owner"`
	Signature string        `json:"signature"`
	Package   string        `json:"package,omitempty"`
	Test      string        `json:"test,omitempty"`
	File      string        `json:"file,omitempty"`
	Line      int           `json:"line,omitempty"`
	Message   string        `json:"message"`
	Evidence  []string      `json:"evidence"` // the lines that matter, normalised
}

// Where is the failure's location: file:line, else the test, else "-".
func (f Failure) Where() string {
	switch {
	case f.File != "" && f.Line > 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	case f.File != "":
		return f.File
	case f.Test != "":
		return f.Test
	}
	return "-"
}

// Kind is what a log is.
type Kind string

// Log kinds.
const (
	GoTestJSON  Kind = "go-test-json"
	GoTest      Kind = "go-test"
	GoBuild     Kind = "go-build"
	DockerBuild Kind = "docker-build"
	Container   Kind = "container-log"
	Text        Kind = "text"
)

var (
	jsonEventRe = regexp.MustCompile(`(?m)^\{"(Time|Action)":`)
	dockerRe    = regexp.MustCompile(`(?m)^(Step \d+/\d+ : |#\d+ \[|ERROR: failed to solve|failed to solve:|The command '.*' returned a non-zero code)`)
	compileRe   = regexp.MustCompile(`(?m)^(?:\./|\.\./|/)?[\w./\-]+\.go:\d+(?::\d+)?: `)
	goTestRe    = regexp.MustCompile(`(?m)^(--- FAIL: |FAIL\s|ok\s+\S+)`)
	logLineRe   = regexp.MustCompile(`(?m)^\{"time":|^time=|^\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d`)
)

// Detect says what kind of log b is.
func Detect(b string) Kind {
	switch {
	case jsonEventRe.MatchString(b):
		return GoTestJSON
	case dockerRe.MatchString(b):
		return DockerBuild
	case goTestRe.MatchString(b):
		return GoTest
	case logLineRe.MatchString(b):
		return Container
	case compileRe.MatchString(b):
		return GoBuild
	case strings.Contains(b, "panic: "):
		return GoTest
	}
	return Text
}

// Classify finds the failures in a log of any kind.
func Classify(log string) []Failure {
	switch Detect(log) {
	case GoTestJSON:
		return FromReport(gotool.ParseTestJSON([]byte(log)))
	case GoTest:
		return fromPlainTest(log)
	}
	return FromText(log, "", "")
}

// FromReport classifies the failed tests of a `go test -json` run, and its
// build errors. A parent test that failed only because a subtest did is
// not counted again.
func FromReport(rep gotool.Report) []Failure {
	var out []Failure
	if strings.Contains(rep.Output, "[build failed]") || strings.Contains(rep.Output, "[setup failed]") || compileRe.MatchString(rep.Output) {
		out = append(out, FromText(rep.Output, "", "")...)
	}
	failedChild := map[string]bool{}
	for _, t := range rep.Tests {
		if t.Action == "fail" {
			if i := strings.LastIndex(t.Test, "/"); i > 0 {
				failedChild[t.Package+"\x00"+t.Test[:i]] = true
			}
		}
	}
	for _, t := range rep.Tests {
		if t.Action != "fail" || failedChild[t.Package+"\x00"+t.Test] {
			continue
		}
		fs := FromText(t.Output, t.Package, t.Test)
		if len(fs) == 0 {
			fs = []Failure{finish(Failure{Class: failure.Unknown, Package: t.Package, Test: t.Test, Message: "the test failed without saying why"}, t.Output)}
		}
		out = append(out, fs[0])
	}
	// A test binary that panics fails its package with no test event.
	if len(out) == 0 && strings.Contains(rep.Output, "panic: ") {
		out = append(out, FromText(rep.Output, "", "")...)
	}
	return dedupe(out)
}

var failLineRe = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
var pkgFailRe = regexp.MustCompile(`(?m)^FAIL[ \t]+(\S+)`)

// fromPlainTest splits plain `go test` output by failing test.
func fromPlainTest(log string) []Failure {
	var out []Failure
	if strings.Contains(log, "[build failed]") || strings.Contains(log, "[setup failed]") {
		out = append(out, FromText(log, "", "")...)
	}
	lines := strings.Split(log, "\n")
	pkg := ""
	if m := pkgFailRe.FindStringSubmatch(log); m != nil {
		pkg = m[1]
	}
	seenParent := map[string]bool{}
	for i, l := range lines {
		m := failLineRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := m[1]
		if seenParent[name] {
			continue
		}
		for p := name; strings.Contains(p, "/"); {
			p = p[:strings.LastIndex(p, "/")]
			seenParent[p] = true
		}
		// The test's output follows its --- FAIL line, indented.
		var body []string
		for _, b := range lines[i+1:] {
			if strings.HasPrefix(strings.TrimSpace(b), "--- ") || (!strings.HasPrefix(b, " ") && !strings.HasPrefix(b, "\t")) {
				break
			}
			body = append(body, b)
		}
		if len(body) == 0 {
			// A panic is printed unindented after the test's --- FAIL line.
			for _, b := range lines[i+1:] {
				if strings.HasPrefix(strings.TrimSpace(b), "--- FAIL") {
					break
				}
				body = append(body, b)
			}
		}
		fs := FromText(strings.Join(body, "\n"), pkg, name)
		if len(fs) > 0 {
			out = append(out, fs[0])
		}
	}
	if len(out) == 0 && strings.Contains(log, "panic: ") {
		out = append(out, FromText(log, pkg, "")...)
	}
	// Parents are reported before their subtests fail: drop them.
	var keep []Failure
	for _, f := range out {
		if !seenParent[f.Test] || f.Test == "" {
			keep = append(keep, f)
		}
	}
	return dedupe(keep)
}

type rule struct {
	class failure.Class
	re    *regexp.Regexp
}

// rules are tried in order on a block of text; the first that matches
// names the class and the line that is the message.
var rules = []rule{
	{failure.DockerUnavailable, regexp.MustCompile(`(?i)cannot connect to the docker daemon|docker daemon is not running|error during connect|docker\.sock: connect`)},
	{failure.PortConflict, regexp.MustCompile(`address already in use|port is already allocated|ports are not available`)},
	{failure.ImageBuildFailed, regexp.MustCompile(`returned a non-zero code|failed to solve|ERROR \[.*\]|COPY failed|executor failed running`)},
	{failure.Timeout, regexp.MustCompile(`test timed out after|context deadline exceeded|i/o timeout|Client\.Timeout exceeded`)},
	{failure.Panic, regexp.MustCompile(`^panic: |^fatal error: `)},
	{failure.ServiceUnreachable, regexp.MustCompile(`connection refused|connection reset by peer|no such host|: EOF$|server closed idle connection|unexpected EOF`)},
	{failure.MissingDependency, regexp.MustCompile(`no required module provides package|missing go\.sum entry|cannot find module providing package|module .* not found`)},
	{failure.ImportError, regexp.MustCompile(`imported and not used|undefined: (` + stdPackages + `)\b|could not import|could not import |is not a package`)},
	{failure.HealthcheckFailed, regexp.MustCompile(`(?i)never became healthy|unhealthy|healthcheck failed`)},
	{failure.ContainerExited, regexp.MustCompile(`(?i)container .* exited|exited with code [1-9]`)},
	{failure.CompileError, regexp.MustCompile(`\.go:\d+(:\d+)?: .*(undefined|cannot use|syntax error|expected|not enough arguments|too many arguments|declared and not used|mismatched types|invalid operation|redeclared|missing return|has no field or method)`)},
	{failure.AssertionFailure, regexp.MustCompile(`(?i)\bgot\b.*\bwant\b|\bwant\b.*\bgot\b|expected .* (but )?(got|was|actual)|status (code )?\d{3}.*\d{3}|mismatch|not equal|should (be|equal)|= .*, want `)},
}

// stdPackages are package names an "undefined:" most often means a
// missing import of.
const stdPackages = `fmt|strings|strconv|errors|os|io|bytes|json|http|time|sort|sync|context|filepath|path|url|log|slog|sha256|hex|base64|regexp|bufio|math|rand|atomic|slices|maps|exec|signal|reflect|unicode|utf8|httptest|testing|flag|net`

var vetHeaderRe = regexp.MustCompile(`(?m)^# \[[^\]]+\]\s*$`)
var fileLineRe = regexp.MustCompile(`(?:^|\s|\()((?:\./|\.\./)?[\w./\-]*?([\w\-]+\.go)):(\d+)(?::\d+)?`)
var stdFrameRe = regexp.MustCompile(`/src/(runtime|testing|net|time|reflect|sync|internal|os|io|encoding|fmt|context)/|^_testmain\.go`)
var frameRe = regexp.MustCompile(`^\s+(\S+\.go):(\d+)`)

// FromText classifies one block of text (a test's output, a build log, a
// container log). It returns one failure per distinct problem it sees.
func FromText(text, pkg, test string) []Failure {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	// go vet's findings under `go test` come after a "# [pkg]" header.
	if loc := vetHeaderRe.FindStringIndex(text); loc != nil {
		rest := text[loc[1]:]
		for _, l := range strings.Split(rest, "\n") {
			if compileRe.MatchString(strings.TrimSpace(l)) {
				f := Failure{Class: failure.VetFailure, Package: pkg, Test: test, Message: strings.TrimSpace(l)}
				f.File, f.Line = location(l)
				return []Failure{finish(f, text)}
			}
		}
	}
	cands := candidates(lines)
	for _, r := range rules {
		for _, i := range cands {
			l := lines[i]
			t := strings.TrimSpace(l)
			if t == "" || !r.re.MatchString(t) {
				continue
			}
			f := Failure{Class: r.class, Package: pkg, Test: test, Message: t}
			switch r.class {
			case failure.Panic:
				f.File, f.Line = panicFrame(lines[i:])
			default:
				f.File, f.Line = location(t)
				if f.File == "" {
					f.File, f.Line = nearestLocation(lines, i)
				}
			}
			return []Failure{finish(f, text)}
		}
	}
	// A compiler line that no rule named.
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if compileRe.MatchString(t) && (strings.Contains(text, "[build failed]") || test == "") && !strings.Contains(t, "_test.go:") {
			f := Failure{Class: failure.CompileError, Package: pkg, Test: test, Message: t}
			f.File, f.Line = location(t)
			return []Failure{finish(f, text)}
		}
	}
	if test != "" {
		msg := firstMeaningful(lines)
		f := Failure{Class: failure.Unknown, Package: pkg, Test: test, Message: msg}
		f.File, f.Line = location(msg)
		return []Failure{finish(f, text)}
	}
	return nil
}

// keywords prefilter the lines the rules are tried on: a log of a
// megabyte is mostly lines none of the rules could match.
var keywords = []string{"panic", "fatal error", "timed out", "deadline", "timeout", "refused", "reset by peer", "eof",
	"no such host", "closed idle", "no required module", "go.sum", "cannot find module", "not found", "imported and not used",
	"undefined", "could not import", "not a package", "healthy", "healthcheck", "exited", "already in use", "already allocated",
	"not available", "docker", "error during connect", "non-zero code", "failed to solve", "error", "copy failed", "executor failed",
	"cannot", "syntax", "expected", "arguments", "declared and not used", "mismatched", "invalid operation", "redeclared",
	"missing return", "has no field", "got", "want", "status ", "mismatch", "not equal", "should"}

// candidates are the indexes of the lines worth a rule: the first and
// the last 200 that hold a keyword.
func candidates(lines []string) []int {
	var out []int
	for i, l := range lines {
		low := strings.ToLower(l)
		for _, k := range keywords {
			if strings.Contains(low, k) {
				out = append(out, i)
				break
			}
		}
	}
	if len(out) > 400 {
		out = append(out[:200], out[len(out)-200:]...)
	}
	return out
}

func firstMeaningful(lines []string) string {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "=== ") && !strings.HasPrefix(t, "--- ") {
			return t
		}
	}
	return "no output"
}

func location(s string) (string, int) {
	m := fileLineRe.FindStringSubmatch(s)
	if m == nil {
		return "", 0
	}
	n := 0
	fmt.Sscan(m[3], &n)
	return strings.TrimPrefix(m[1], "./"), n
}

func nearestLocation(lines []string, i int) (string, int) {
	for j := i; j >= 0 && j >= i-5; j-- {
		if f, n := location(lines[j]); f != "" {
			return f, n
		}
	}
	return "", 0
}

// panicFrame is the first stack frame outside the runtime and testing.
func panicFrame(lines []string) (string, int) {
	for _, l := range lines {
		m := frameRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		f := m[1]
		if stdFrameRe.MatchString(f) {
			continue
		}
		n := 0
		fmt.Sscan(m[2], &n)
		return f, n
	}
	return "", 0
}

func finish(f Failure, text string) Failure {
	f.Owner = failure.Owner(f.Class)
	f.Message = Normalize(f.Message)
	f.Evidence = Excerpt(text, 40, 2048)
	where := f.Where()
	if f.File != "" {
		where = shortFile(f.File)
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", where, f.Line)
		}
		if f.Test != "" && f.Class == failure.AssertionFailure {
			where = f.Test + "@" + where
		}
	}
	f.Signature = fmt.Sprintf("%s|%s|%s", f.Class, where, Signature(f.Message))
	return f
}

// shortFile keeps the last two path elements: the same file seen from two
// checkouts gets the same signature.
func shortFile(p string) string {
	parts := strings.Split(strings.ReplaceAll(p, `\`, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

func dedupe(fs []Failure) []Failure {
	seen := map[string]bool{}
	var out []Failure
	for _, f := range fs {
		k := f.Signature + "\x00" + f.Test
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	// Build failures (no test) first, then by package and test name: the
	// order tests finish in is not an order to triage them in.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Test < out[j].Test
	})
	return out
}
