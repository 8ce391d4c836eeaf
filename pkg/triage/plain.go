package triage

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
)

var (
	// `go test -v` names the test whose output follows; a bare "=== NAME"
	// is output of no test.
	runLineRe = regexp.MustCompile(`^=== (?:RUN|PAUSE|CONT|NAME)(?:\s+(\S+))?\s*$`)
	// A test's result, indented four spaces per level of subtest.
	reportLineRe = regexp.MustCompile(`^((?:    )*)--- (FAIL|PASS|SKIP): (\S+)`)
	// A package's result.
	pkgLineRe = regexp.MustCompile(`^(ok  |FAIL|\?   )\t(\S+)`)
)

// plainParser reads plain `go test` output, with or without -v, into the
// report `go test -json` would have given: which test printed each line.
// With -v the "=== RUN/CONT/NAME" lines say whose output follows (parallel
// tests interleave); without it a test's output follows its "--- FAIL"
// line, indented one level more than it. A panic belongs to the test whose
// result was printed just before it, or to the test that was running.
type plainParser struct {
	rep      gotool.Report
	other    strings.Builder
	out      map[string]*strings.Builder
	started  []string
	ended    map[string]string
	cur      string   // the test output goes to
	reports  []string // the tests of the "--- " lines above, by depth
	verbose  bool     // "=== RUN" lines were seen
	inReport bool     // the last line was a result or a result's output
	sticky   *string  // a panic or an Example's output is being printed, for this test
	timeout  strings.Builder
}

// timedOut is the owner of a timeout's panic: it names the tests it cut
// short itself.
const timedOut = "\x00timeout"

// parsePlain splits plain `go test` output by test and package.
func parsePlain(log string) gotool.Report {
	p := &plainParser{}
	p.reset()
	sawFail := false
	for _, l := range strings.Split(strings.ReplaceAll(log, "\r\n", "\n"), "\n") {
		sawFail = sawFail || l == "FAIL"
		p.line(l)
	}
	p.endPackage("", sawFail)
	p.rep.Output = p.other.String()
	return p.rep
}

func (p *plainParser) reset() {
	p.out, p.started, p.ended = map[string]*strings.Builder{}, nil, map[string]string{}
	p.cur, p.reports, p.inReport, p.sticky = "", nil, false, nil
	p.timeout.Reset()
}

func (p *plainParser) line(l string) {
	if m := runLineRe.FindStringSubmatch(l); m != nil {
		p.verbose, p.cur, p.reports, p.inReport, p.sticky = true, m[1], nil, false, nil
		p.start(m[1])
		return
	}
	if m := reportLineRe.FindStringSubmatch(l); m != nil {
		depth := min(len(m[1])/4, len(p.reports))
		p.reports = append(p.reports[:depth], m[3])
		p.cur, p.inReport, p.sticky = m[3], true, nil
		p.start(m[3])
		p.ended[m[3]] = strings.ToLower(m[2])
		p.write(m[3], strings.TrimLeft(l, " "))
		return
	}
	if m := pkgLineRe.FindStringSubmatch(l); m != nil {
		p.other.WriteString(l + "\n")
		p.endPackage(m[2], m[1] == "FAIL")
		return
	}
	if l == "FAIL" || l == "PASS" {
		p.other.WriteString(l + "\n")
		p.cur, p.reports, p.inReport, p.sticky = "", nil, false, nil
		return
	}
	p.write(p.owner(l), l)
}

// owner is the test a line of output belongs to, "" for none.
func (p *plainParser) owner(l string) string {
	if p.sticky != nil {
		return *p.sticky
	}
	if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") || (l == "got:" && p.inReport) {
		who := p.cur
		switch {
		case strings.HasPrefix(l, "panic: test timed out"):
			who = timedOut
		case !p.verbose && !p.inReport:
			who = ""
		}
		p.sticky = &who
		return who
	}
	if spaces := len(l) - len(strings.TrimLeft(l, " ")); spaces >= 4 && len(p.reports) > 0 && p.inReport {
		level := min(spaces/4, len(p.reports))
		p.reports = p.reports[:level]
		return p.reports[level-1]
	}
	if p.verbose {
		return p.cur
	}
	p.inReport = false
	return ""
}

func (p *plainParser) start(name string) {
	if name != "" && p.out[name] == nil {
		p.out[name] = &strings.Builder{}
		p.started = append(p.started, name)
	}
}

// write gives a line to a test and to the tests it is a subtest of, as
// `go test -json` does.
func (p *plainParser) write(name, l string) {
	switch name {
	case "":
		p.other.WriteString(l + "\n")
		return
	case timedOut:
		p.timeout.WriteString(l + "\n")
		return
	}
	p.start(name)
	for n := name; ; n = n[:strings.LastIndex(n, "/")] {
		if b := p.out[n]; b != nil {
			b.WriteString(l + "\n")
		}
		if !strings.Contains(n, "/") {
			return
		}
	}
}

// endPackage gives the tests seen to pkg. In a package that failed, a test
// that started and never ended is one a panic cut short; after a timeout,
// the ones its panic lists as running.
func (p *plainParser) endPackage(pkg string, failed bool) {
	tests := p.rep.Tests
	for _, name := range p.started {
		act, ok := p.ended[name]
		if !ok && (!failed || p.timeout.Len() > 0) {
			continue
		}
		if !ok {
			act = "fail"
		}
		tests = append(tests, gotool.TestResult{Package: pkg, Test: name, Action: act, Output: p.out[name].String()})
	}
	if t := p.timeout.String(); t != "" {
		timed := timedOutTests(pkg, t)
		if len(timed) == 0 {
			p.other.WriteString(t)
		}
		tests = append(tests, timed...)
	}
	p.rep.Tests = tests
	p.reset()
}

// timedOutTests are the tests a timeout's panic lists as running, each
// failed with the panic for its output.
func timedOutTests(pkg, panicText string) []gotool.TestResult {
	var out []gotool.TestResult
	for _, name := range runningTests(strings.Split(panicText, "\n")) {
		out = append(out, gotool.TestResult{Package: pkg, Test: name, Action: "fail", Output: panicText})
	}
	return out
}

// unfinished are the tests of a `go test -json` log that started and never
// ended, in a package that failed: what a panic outside the test's
// goroutine cut short, or, after a timeout, the tests its panic lists as
// running. gotool.ParseTestJSON keeps no result, and so no output, for
// them.
func unfinished(log string) []gotool.TestResult {
	type key struct{ pkg, test string }
	out := map[key]*strings.Builder{}
	var order []key
	failed := map[string]bool{}
	timeout := map[string]*strings.Builder{} // a timeout's panic, whichever test it is given to
	for _, line := range strings.Split(log, "\n") {
		var e gotool.Event
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		k := key{e.Package, e.Test}
		if e.Action == "output" && (timeout[e.Package] != nil || strings.HasPrefix(e.Output, "panic: test timed out")) {
			if timeout[e.Package] == nil {
				timeout[e.Package] = &strings.Builder{}
			}
			timeout[e.Package].WriteString(e.Output)
		}
		switch {
		case e.Test == "" && e.Action == "fail":
			failed[e.Package] = true
		case e.Test == "":
		case e.Action == "run":
			out[k] = &strings.Builder{}
			order = append(order, k)
		case e.Action == "output" && out[k] != nil:
			out[k].WriteString(e.Output)
		case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
			delete(out, k)
		}
	}
	timeouts := map[string][]gotool.TestResult{}
	for pkg, b := range timeout {
		timeouts[pkg] = timedOutTests(pkg, b.String())
	}
	var res []gotool.TestResult
	for _, k := range order {
		switch b := out[k]; {
		case b == nil || !failed[k.pkg]:
		case timeouts[k.pkg] != nil:
			res, timeouts[k.pkg] = append(res, timeouts[k.pkg]...), []gotool.TestResult{}
		default:
			res = append(res, gotool.TestResult{Package: k.pkg, Test: k.test, Action: "fail", Output: b.String()})
		}
	}
	return res
}
