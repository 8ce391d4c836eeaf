package report

import (
	"encoding/xml"
	"fmt"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"sort"
	"strings"
)

// Case is one test's final result, for junit.xml.
type Case = phase.Case

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// JUnit renders the final test results as JUnit XML, one testsuite per
// suite and package, for CI test reporters.
func JUnit(run string, cases []Case) ([]byte, error) {
	bySuite := map[string][]Case{}
	for _, c := range cases {
		bySuite[c.Suite] = append(bySuite[c.Suite], c)
	}
	names := make([]string, 0, len(bySuite))
	for n := range bySuite {
		names = append(names, n)
	}
	sort.Strings(names)
	top := junitSuites{Name: "orchestrate " + run}
	var total float64
	for _, n := range names {
		s := junitSuite{Name: n}
		var secs float64
		for _, c := range bySuite[n] {
			jc := junitCase{Classname: n, Name: c.Name, Time: seconds(c.Seconds)}
			switch c.Status {
			case "fail":
				msg := firstLine(c.Output)
				jc.Failure = &junitFailure{Message: msg, Type: "failure", Body: c.Output}
				s.Failures++
			case "skip":
				jc.Skipped = &struct{}{}
				s.Skipped++
			}
			if c.Flaky {
				jc.SystemOut = "flaky: failed, then passed when re-run alone; the first run's output:\n" + c.Output
			}
			s.Tests++
			secs += c.Seconds
			s.Cases = append(s.Cases, jc)
		}
		s.Time = seconds(secs)
		total += secs
		top.Tests += s.Tests
		top.Failures += s.Failures
		top.Skipped += s.Skipped
		top.Suites = append(top.Suites, s)
	}
	top.Time = seconds(total)
	b, err := xml.MarshalIndent(top, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

func seconds(f float64) string { return fmt.Sprintf("%.3f", f) }

// firstLine is the first line of a test's output that says something.
func firstLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return "failed"
}
