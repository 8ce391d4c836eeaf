package triage

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

type rule struct {
	class failure.Class
	re    *regexp.Regexp
}

// envRules name what the environment did. They are tried first: a Docker
// build's log can hold a compiler's output that is not the problem.
var envRules = []rule{
	{failure.DockerUnavailable, regexp.MustCompile(`(?i)cannot connect to the docker daemon|docker daemon is not running|error during connect|docker\.sock: connect`)},
	{failure.PortConflict, regexp.MustCompile(`address already in use|port is already allocated|ports are not available`)},
	{failure.ImageBuildFailed, regexp.MustCompile(`returned a non-zero code|failed to solve|ERROR \[.*\]|COPY failed|executor failed running|dockerfile parse error`)},
}

// rules name what a run printed. They are tried, in order, after the
// toolchain's own diagnostics (see diagnostic); the first that matches
// names the class and the line that is the message.
var rules = []rule{
	{failure.Timeout, regexp.MustCompile(`test timed out after|context deadline exceeded|i/o timeout|Client\.Timeout exceeded`)},
	{failure.Panic, regexp.MustCompile(`^panic: |^fatal error: |http: panic serving`)},
	{failure.ServiceUnreachable, regexp.MustCompile(`connection refused|connection reset by peer|no such host|: EOF$|server closed idle connection|unexpected EOF`)},
	{failure.MissingDependency, missingDepRe},
	{failure.ImportError, importRe},
	{failure.HealthcheckFailed, regexp.MustCompile(`(?i)never became healthy|unhealthy|healthcheck failed`)},
	{failure.ContainerExited, regexp.MustCompile(`(?i)container .* exited|exited with code [1-9]|\bExited \([1-9]\d*\)`)},
	{failure.CompileError, regexp.MustCompile(`\.go:\d+:\d+: .*(undefined|cannot use|syntax error|expected|not enough arguments|too many arguments|declared and not used|mismatched types|invalid operation|redeclared|missing return|has no field or method)`)},
	{failure.AssertionFailure, assertRe},
	// Last: what a test itself reported (t.Errorf or t.Fatalf at a line of
	// a _test.go file) when nothing above names it is the test's assertion,
	// whatever its words ("rejected a 7-character commit").
	{failure.AssertionFailure, testSaidRe},
}

var (
	testSaidRe   = regexp.MustCompile(`^[\w.\-]+_test\.go:\d+: \S`)
	missingDepRe = regexp.MustCompile(`no required module provides package|missing go\.sum entry|cannot find module providing package|module .* not found`)
	importRe     = regexp.MustCompile(`imported and not used|imported as \w+ and not used|undefined: (` + stdPackages + `)(\s|$)|could not import|is not a package|is not in std|is not in GOROOT`)
	// A line a test printed (file_test.go:N: with no column) that compares
	// or finds the answer is not the JSON it expects, an Example's output
	// that differs, or the shapes of a comparison anywhere.
	assertRe = regexp.MustCompile(`(?i)^[\w.\-]+\.go:\d+: .*(\b(want|wanted|expected|expecting|got|mismatch|mismatched|differs?)\b| != |is not JSON|invalid character .* looking for|cannot unmarshal)|^(got|want):$|` +
		`\bgot\b.*\b(want|expected)\b|\b(want|expected)\b.*\bgot\b|expected .* (but )?(got|was|actual)|status (code )?\d{3}.*\d{3}|mismatch|not equal|should (be|equal)|= .*, want `)
)

// stdPackages are package names an "undefined:" most often means a
// missing import of.
const stdPackages = `fmt|strings|strconv|errors|os|io|bytes|json|http|time|sort|sync|context|filepath|path|url|log|slog|sha256|hex|base64|regexp|bufio|math|rand|atomic|slices|maps|exec|signal|reflect|unicode|utf8|httptest|testing|flag|net`

var (
	// diagRe is a diagnostic of the compiler, of go vet or of the go
	// command: file:line:col: message at the start of a line, "vet: "
	// before it when vet reports what it could not type-check. A test's
	// own lines (t.Errorf) have no column and are indented.
	diagRe = regexp.MustCompile(`^(vet: )?((?:\.{1,2}/|/)?[\w./\-]*\.go):(\d+):(\d+): (.+)$`)
	// vetHeaderRe is the header go test prints before vet's findings, in
	// releases that print it.
	vetHeaderRe = regexp.MustCompile(`^# \[[^\]]+\]\s*$`)
	// vetMsgRe are the shapes of go vet's analyzers' messages (printf,
	// copylocks, unreachable, structtag, lostcancel, assign, atomic, bools,
	// composites, httpresponse, loopclosure, nilfunc, shift, stdmethods,
	// stringintconv, tests, unmarshal, unsafeptr, unusedresult, errorsas,
	// ifaceassert, buildtag, directive, sigchanyzer, testinggoroutine,
	// timeformat, appends, defers, slog, stdversion, waitgroup, hostport).
	vetMsgRe = regexp.MustCompile(`\bformat %|formatting directive|has arg .* of wrong type|wrong type for|reads arg #|call needs \d+ args? but has|` +
		`arg list ends with redundant newline|non-constant format string|possible formatting directive|` +
		`copies lock|passes lock by value|lock by value|unreachable code|struct field tag|reflect\.StructTag\.Get|repeats \w+ tag|` +
		`cancel function|context leak|without using the cancel var|self-assignment of|direct assignment to atomic value|` +
		`(redundant|suspect) (or|and):|struct literal uses unkeyed fields|using \w+ before checking for errors|` +
		`loop variable \w+ captured by func literal|comparison of function \w+ (==|!=) nil|too small for shift of|` +
		`should have signature|yields a string of one rune|has malformed name|refers to unknown (field or method|identifier)|` +
		`wrong signature for|passes non-pointer|possible misuse of unsafe\.Pointer|result of [\w.()*]+ call not used|` +
		`second argument to errors\.As|impossible type (assertion|switch case)|misplaced (\+|//go:)build comment|` +
		`misuse of unbuffered os\.Signal channel|from a non-test goroutine|should be 2006-01-02|append with no values|` +
		`call to time\.Since is not deferred|should be a string or a slog\.Attr|missing a final value|` +
		`requires go1\.\d+ or later \(module is|WaitGroup\.Add called from inside new goroutine|does not work with IPv6`)
	// typeErrRe are the type checker's and the parser's messages: vet
	// prints them when the code does not compile.
	typeErrRe = regexp.MustCompile(`undefined: |cannot |syntax error|expected .*, found|not enough arguments|too many (arguments|return values)|` +
		`declared and not used|mismatched types|invalid |redeclared|missing return|has no field or method|assignment mismatch|` +
		`not a type|does not implement|unknown field|undeclared|multiple-value|is not used|no new variables|not an expression`)
)

// diagOrder ranks the toolchain's diagnostics: a missing module explains
// the undefined names that follow it, and vet runs only on code that
// compiles.
var diagOrder = []failure.Class{failure.MissingDependency, failure.ImportError, failure.CompileError, failure.VetFailure}

// diagnostic is the compiler's, vet's or the go command's diagnostic that
// names the failure, if the text holds any. Their file:line:col format
// wins over any keyword in their message ("syntax error: unexpected EOF"
// is no network's EOF); vet's findings are told from type errors by their
// message, since go vet and go test print them with no header or with a
// "# package" header like the compiler's.
func diagnostic(lines []string, pkg, test string) (Failure, bool) {
	var best Failure
	rank := len(diagOrder)
	vetHeader := false
	for _, l := range lines {
		if strings.HasPrefix(l, "# ") {
			vetHeader = vetHeaderRe.MatchString(l)
			continue
		}
		if !strings.Contains(l, ".go:") {
			continue
		}
		m := diagRe.FindStringSubmatch(strings.TrimRight(l, "\r"))
		if m == nil {
			continue
		}
		c := diagClass(m[5], vetHeader || m[1] != "")
		if r := slices.Index(diagOrder, c); r < rank {
			n, _ := strconv.Atoi(m[3])
			best = Failure{Class: c, Package: pkg, Test: test, File: strings.TrimPrefix(m[2], "./"), Line: n, Message: strings.TrimSpace(l)}
			rank = r
		}
	}
	return best, rank < len(diagOrder)
}

// diagClass is the class of a toolchain diagnostic's message; byVet says
// go vet printed it.
func diagClass(msg string, byVet bool) failure.Class {
	switch {
	case missingDepRe.MatchString(msg):
		return failure.MissingDependency
	case importRe.MatchString(msg):
		return failure.ImportError
	case vetMsgRe.MatchString(msg), byVet && !typeErrRe.MatchString(msg):
		return failure.VetFailure
	}
	return failure.CompileError
}

// matchRules tries rules in order on the candidate lines.
func matchRules(rs []rule, lines []string, cands []int, pkg, test string) (Failure, bool) {
	for _, r := range rs {
		for _, i := range cands {
			t := strings.TrimSpace(lines[i])
			if r.class == failure.AssertionFailure {
				// A comparison printed over several lines is one message.
				i = head(lines, i)
				t = logical(lines, i)
			}
			if t == "" || !r.re.MatchString(t) || r.class == failure.ServiceUnreachable && diagRe.MatchString(t) {
				continue
			}
			f := Failure{Class: r.class, Package: pkg, Test: test, Message: strings.TrimSpace(lines[i])}
			switch r.class {
			case failure.Panic:
				f.File, f.Line = panicFrame(lines[i:])
			default:
				f.File, f.Line = location(t)
				if f.File == "" {
					f.File, f.Line = nearestLocation(lines, i)
				}
			}
			if f.Test == "" {
				f.Test = testOf(r.class, lines[i:])
			}
			return f, true
		}
	}
	return Failure{}, false
}

// testLogRe is a line a test printed: t.Errorf's file:line, no column.
var testLogRe = regexp.MustCompile(`^\s*[\w.\-]+\.go:\d+: `)

// head is the line a test's message begins on, if line i goes on one
// (it is indented more than a test's line above it).
func head(lines []string, i int) int {
	indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " \t"))
	for j := i - 1; j >= 0 && j >= i-20; j-- {
		l := lines[j]
		ind := len(l) - len(strings.TrimLeft(l, " \t"))
		if strings.TrimSpace(l) == "" || ind >= indent {
			continue
		}
		if testLogRe.MatchString(l) {
			return j
		}
		break
	}
	return i
}

// logical is a test's message that goes on over several lines (t.Errorf
// with "\n" in its format): the line and the ones below it indented more.
func logical(lines []string, i int) string {
	indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " \t"))
	var b strings.Builder
	b.WriteString(strings.TrimSpace(lines[i]))
	for _, l := range lines[i+1 : min(len(lines), i+20)] {
		if t := strings.TrimLeft(l, " \t"); t == "" || len(l)-len(t) <= indent {
			break
		}
		b.WriteString(" " + strings.TrimSpace(l))
	}
	return b.String()
}

// testOf is the test a failure printed outside any test's output belongs
// to: the first test a timeout lists as running, the test function in a
// panic's stack.
func testOf(c failure.Class, lines []string) string {
	switch c {
	case failure.Timeout:
		if names := runningTests(lines[:min(len(lines), 12)]); len(names) > 0 {
			return names[0]
		}
	case failure.Panic:
		for _, l := range lines[:min(len(lines), 60)] {
			if m := testFrameRe.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// testFrameRe is a test function's frame in a stack trace.
var testFrameRe = regexp.MustCompile(`^[\w./\-]+\.((?:Test|Example|Fuzz)\w*?)(?:\.func\d+(?:\.\d+)*)?\(`)

// runningTests are the tests a timeout's panic lists under "running
// tests:", one per line indented by tabs.
func runningTests(lines []string) []string {
	var out []string
	in := false
	for _, l := range lines {
		switch {
		case strings.TrimSpace(l) == "running tests:":
			in = true
		case in && strings.HasPrefix(l, "\t\t"):
			if f := strings.Fields(l); len(f) > 0 {
				out = append(out, f[0])
			}
		case in:
			return out
		}
	}
	return out
}
