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
	"slices"
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

// The marks Detect looks for at the start of a line. Each begins with the
// newline Detect puts before the log: a literal first byte lets the search
// go from line to line instead of trying every byte of a megabyte.
var (
	jsonEventRe   = regexp.MustCompile(`\n\{"(?:Time|Action)":`)
	dockerRe      = regexp.MustCompile(`\n(?:Step \d+/\d+ : |#\d+ \[|ERROR: failed to solve|failed to solve:|The command '.*' returned a non-zero code|Sending build context to Docker daemon)`)
	goTestRe      = regexp.MustCompile(`\n(?:--- FAIL: |FAIL\s|ok\s+\S+)`)
	logLineRe     = regexp.MustCompile(`\n(?:\{"time":|time=|\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d)`)
	compileLineRe = regexp.MustCompile(`\n(?:\./|\.\./|/)?[\w./\-]+\.go:\d+(?::\d+)?: `)
)

// compileRe is a compiler's line: file.go:line[:col]: message.
var compileRe = regexp.MustCompile(`(?m)^(?:\./|\.\./|/)?[\w./\-]+\.go:\d+(?::\d+)?: `)

// Detect says what kind of log b is.
func Detect(b string) Kind {
	nb := "\n" + b
	switch {
	case jsonEventRe.MatchString(nb):
		return GoTestJSON
	case dockerRe.MatchString(nb):
		return DockerBuild
	case goTestRe.MatchString(nb):
		return GoTest
	case logLineRe.MatchString(nb):
		return Container
	case compileLineRe.MatchString(nb):
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
		rep := gotool.ParseTestJSON([]byte(log))
		if strings.Contains(log, "panic: ") || strings.Contains(log, "fatal error: ") || !slices.ContainsFunc(rep.Tests, failed) {
			rep.Tests = append(rep.Tests, unfinished(log)...)
		}
		return FromReport(rep)
	case GoTest:
		return FromReport(parsePlain(log))
	case DockerBuild:
		if fs := FromText(log, "", ""); len(fs) > 0 || builtRe.MatchString(log) {
			return fs
		}
		// A build that stopped on a message no rule knows.
		f := Failure{Class: failure.ImageBuildFailed, Message: lastError(log)}
		return []Failure{finish(f, log)}
	}
	return FromText(log, "", "")
}

func failed(t gotool.TestResult) bool { return t.Action == "fail" }

var builtRe = regexp.MustCompile(`(?m)^(Successfully built |Successfully tagged |#\d+ writing image )`)

// lastError is the last line of a log that says something failed, else
// its last line.
func lastError(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.ToLower(lines[i]); strings.Contains(l, "error") || strings.Contains(l, "failed") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// FromReport classifies the failed tests of a `go test -json` run, and its
// build errors. A parent test that failed only because a subtest did is
// not counted again.
func FromReport(rep gotool.Report) []Failure {
	var out []Failure
	if strings.Contains(rep.Output, "[build failed]") || strings.Contains(rep.Output, "[setup failed]") || compileLineRe.MatchString("\n"+rep.Output) {
		out = append(out, FromText(rep.Output, "", "")...)
	}
	failedChild := map[string]bool{}
	outputs := map[string]string{}
	for _, t := range rep.Tests {
		outputs[t.Package+"\x00"+t.Test] = t.Output
		// A subtest's name can hold "/" itself (t.Run("POST /items")):
		// every prefix may be its parent.
		for i, c := range t.Test {
			if c == '/' && t.Action == "fail" {
				failedChild[t.Package+"\x00"+t.Test[:i]] = true
			}
		}
	}
	for _, t := range rep.Tests {
		if t.Action != "fail" || failedChild[t.Package+"\x00"+t.Test] {
			continue
		}
		f := FromText(t.Output, t.Package, t.Test)[0]
		f = fromParent(f, t, outputs)
		out = append(out, serverPanic(f, rep.Output))
	}
	// A panic outside any test's output (in init, or in a goroutine the
	// code started, with no -v to say which test ran) fails its package.
	if i := panicStart(rep.Output); i >= 0 {
		out = append(out, FromText(rep.Output[i:], "", "")...)
	}
	return dedupe(out)
}

// panicStart is where a panic's message begins in text, or -1.
func panicStart(text string) int {
	for _, p := range []string{"panic: ", "fatal error: "} {
		if strings.HasPrefix(text, p) {
			return 0
		}
		if i := strings.Index(text, "\n"+p); i >= 0 {
			return i + 1
		}
	}
	return -1
}

// fromParent: go test -json gives a subtest's panic to its parent (it is
// printed after the parent's --- FAIL line), so a subtest that failed
// without saying why takes the panic or timeout its parents printed.
func fromParent(f Failure, t gotool.TestResult, outputs map[string]string) Failure {
	for p := t.Test; f.Class == failure.Unknown && strings.Contains(p, "/"); {
		p = p[:strings.LastIndex(p, "/")]
		fs := FromText(outputs[t.Package+"\x00"+p], t.Package, t.Test)
		if len(fs) > 0 && (fs[0].Class == failure.Panic || fs[0].Class == failure.Timeout) {
			return fs[0]
		}
	}
	return f
}

// serverPanic: net/http recovers a handler's panic, logs "http: panic
// serving" with the stack, and closes the connection. A test that saw only
// the closed connection failed on that panic. Without -v the log is not
// any test's output.
func serverPanic(f Failure, other string) Failure {
	i := strings.Index(other, "http: panic serving")
	if f.Class != failure.ServiceUnreachable || i < 0 || !(strings.Contains(f.Message, "EOF") || strings.Contains(f.Message, "reset")) {
		return f
	}
	block := other[strings.LastIndex(other[:i], "\n")+1:]
	if len(block) > 16<<10 {
		block = block[:16<<10]
	}
	p := FromText(block, f.Package, f.Test)
	if len(p) == 0 || p[0].Class != failure.Panic {
		return f
	}
	return p[0]
}

var fileLineRe = regexp.MustCompile(`(?:^|\s|\()((?:\./|\.\./)?[\w./\-]*?([\w\-]+\.go)):(\d+)(?::\d+)?`)
var stdFrameRe = regexp.MustCompile(`/src/(runtime|testing|net|time|reflect|sync|internal|os|io|encoding|fmt|context)/|^_testmain\.go`)
var frameRe = regexp.MustCompile(`^\s+(\S+\.go):(\d+)`)

// FromText classifies one block of text (a test's output, a build log, a
// container log). It returns one failure per distinct problem it sees.
func FromText(text, pkg, test string) []Failure {
	text = steady(strings.ReplaceAll(text, "\r\n", "\n"))
	lines := strings.Split(text, "\n")
	cands := candidates(lines)
	f, ok := matchRules(envRules, lines, cands, pkg, test)
	if !ok {
		f, ok = diagnostic(lines, pkg, test)
	}
	if !ok {
		f, ok = matchRules(rules, lines, cands, pkg, test)
	}
	if !ok {
		f, ok = bareCompilerLine(text, lines, pkg, test)
	}
	if !ok && test != "" {
		msg := firstMeaningful(lines)
		f = Failure{Class: failure.Unknown, Package: pkg, Test: test, Message: msg}
		f.File, f.Line = location(msg)
		ok = true
	}
	if !ok {
		return nil
	}
	return []Failure{finish(f, text)}
}

// bareCompilerLine is a compiler's line with no column that no rule named.
func bareCompilerLine(text string, lines []string, pkg, test string) (Failure, bool) {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if compileRe.MatchString(t) && (strings.Contains(text, "[build failed]") || test == "") && !strings.Contains(t, "_test.go:") {
			f := Failure{Class: failure.CompileError, Package: pkg, Test: test, Message: t}
			f.File, f.Line = location(t)
			return f, true
		}
	}
	return Failure{}, false
}

// keywords prefilter the lines the rules are tried on: a log of a
// megabyte is mostly lines none of the rules could match.
var keywords = []string{"panic", "fatal error", "timed out", "deadline", "timeout", "refused", "reset by peer", "eof",
	"no such host", "closed idle", "no required module", "go.sum", "cannot find module", "not found", "imported and not used",
	"undefined", "could not import", "not a package", "healthy", "healthcheck", "exited", "already in use", "already allocated",
	"not available", "docker", "error during connect", "non-zero code", "failed to solve", "error", "copy failed", "executor failed",
	"cannot", "syntax", "expected", "arguments", "declared and not used", "mismatched", "invalid operation", "redeclared",
	"missing return", "has no field", "got", "want", "status ", "mismatch", "not equal", "should", "differ",
	"!=", "not json", "invalid character", "unmarshal"}

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

var sourceLineRe = regexp.MustCompile(`^\s*[\w./-]+\.go:\d+: `)

// steady puts the lines a test printed from its own source (file.go:N: …)
// in sorted order, each taking the place of one of them; other lines stay
// where they are. A test that loops over a map prints its failing cases in
// a different order on every run; sorted, the same failure gives the same
// message, signature and evidence every time, so the question about it is
// the same and a recorded answer replays.
func steady(text string) string {
	lines := strings.Split(text, "\n")
	var at []int
	var src []string
	for i, l := range lines {
		if sourceLineRe.MatchString(l) {
			at, src = append(at, i), append(src, l)
		}
	}
	if sort.StringsAreSorted(src) {
		return text
	}
	sort.Strings(src)
	for k, i := range at {
		lines[i] = src[k]
	}
	return strings.Join(lines, "\n")
}
