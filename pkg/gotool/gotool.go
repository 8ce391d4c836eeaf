// Package gotool runs the go command on generated code: build, vet, test.
// The environment is pinned so a run is reproducible and never edits the
// user's setup: no workspace, the local toolchain, no cgo.
package gotool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Go runs the go command.
type Go struct {
	Bin     string   // default "go" on PATH
	Environ []string // the base environment; default os.Environ()
	Extra   []string // added after the base (GOOS=linux for an image's binary)
	Log     io.Writer
}

// Result is one invocation.
type Result struct {
	Args     []string      `json:"args"`
	Dir      string        `json:"dir"`
	ExitCode int           `json:"exit_code"`
	Output   string        `json:"-"` // stdout and stderr, interleaved
	Duration time.Duration `json:"-"`
}

// OK reports a zero exit.
func (r Result) OK() bool { return r.ExitCode == 0 }

// Pinned is added to every invocation's environment.
var Pinned = []string{"GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly", "GOTRACEBACK=single"}

// Run runs `go args...` in dir. A non-zero exit is a Result, not an error;
// the error is for a go command that could not run at all.
func (g Go) Run(ctx context.Context, dir string, args ...string) (Result, error) {
	bin := g.Bin
	if bin == "" {
		bin = "go"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return Result{}, fmt.Errorf("the go command is not on PATH (%v): install Go 1.24 or later", err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = g.Env()
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	r := Result{Args: append([]string{"go"}, args...), Dir: dir, Output: out.String(), Duration: time.Since(start)}
	if g.Log != nil {
		fmt.Fprintf(g.Log, "$ (cd %s && go %s)  # %s\n", dir, strings.Join(args, " "), r.Duration.Round(time.Millisecond))
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.ExitCode = ee.ExitCode()
		if g.Log != nil {
			fmt.Fprintf(g.Log, "exit %d\n%s", r.ExitCode, r.Output)
		}
		return r, nil
	}
	return r, err
}

// Env is the environment the go command runs in, and so the one go test
// gives a test binary: the base, then Extra, then Pinned.
func (g Go) Env() []string {
	env := g.Environ
	if env == nil {
		env = os.Environ()
	}
	return append(append(append([]string(nil), env...), g.Extra...), Pinned...)
}

var (
	versionMu sync.Mutex
	versions  = map[string]string{}
)

// Version is the toolchain's version (go1.26.1), asked once per binary.
func (g Go) Version(ctx context.Context) string {
	versionMu.Lock()
	defer versionMu.Unlock()
	if v, ok := versions[g.Bin]; ok {
		return v
	}
	r, err := g.Run(ctx, ".", "env", "GOVERSION")
	v := strings.TrimSpace(r.Output)
	if err != nil || !r.OK() {
		v = "unknown"
	}
	versions[g.Bin] = v
	return v
}

// Event is one line of `go test -json`.
type Event struct {
	Action  string  `json:"Action"`
	Package string  `json:"Package"`
	Test    string  `json:"Test"`
	Output  string  `json:"Output"`
	Elapsed float64 `json:"Elapsed"`
}

// TestResult is one test's outcome from `go test -json`.
type TestResult struct {
	Package string  `json:"package"`
	Test    string  `json:"test"`
	Action  string  `json:"action"` // pass, fail, skip
	Elapsed float64 `json:"elapsed_seconds"`
	Output  string  `json:"-"`
}

// Report is what `go test -json` said.
type Report struct {
	Tests    []TestResult       `json:"tests"`              // top-level and subtests, in the order they finished
	Coverage map[string]float64 `json:"coverage,omitempty"` // per package, percent of statements
	Output   string             `json:"-"`                  // output outside any test (build errors, package summary)
}

var coverRe = regexp.MustCompile(`coverage: ([0-9.]+)% of statements`)

// ParseTestJSON reads `go test -json` output. Lines that are not JSON (a
// build failure printed before the events) go to Output.
func ParseTestJSON(b []byte) Report {
	var rep Report
	outputs := map[string]*strings.Builder{}
	var other strings.Builder
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Event
		if line[0] != '{' || json.Unmarshal(line, &e) != nil {
			other.Write(line)
			other.WriteByte('\n')
			continue
		}
		switch e.Action {
		case "output":
			if e.Test == "" {
				other.WriteString(e.Output)
				if m := coverRe.FindStringSubmatch(e.Output); m != nil {
					if rep.Coverage == nil {
						rep.Coverage = map[string]float64{}
					}
					rep.Coverage[e.Package], _ = strconv.ParseFloat(m[1], 64)
				}
				continue
			}
			// A test's output holds its subtests': a parent fails because of them.
			for name := e.Test; ; {
				k := e.Package + "\x00" + name
				if outputs[k] == nil {
					outputs[k] = &strings.Builder{}
				}
				outputs[k].WriteString(e.Output)
				i := strings.LastIndex(name, "/")
				if i < 0 {
					break
				}
				name = name[:i]
			}
		case "build-output":
			other.WriteString(e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				continue
			}
			tr := TestResult{Package: e.Package, Test: e.Test, Action: e.Action, Elapsed: e.Elapsed}
			if o := outputs[e.Package+"\x00"+e.Test]; o != nil {
				tr.Output = o.String()
			}
			rep.Tests = append(rep.Tests, tr)
		}
	}
	rep.Output = other.String()
	return rep
}

// Failed lists the top-level tests that failed.
func (r Report) Failed() []TestResult {
	var out []TestResult
	for _, t := range r.Tests {
		if t.Action == "fail" && !strings.Contains(t.Test, "/") {
			out = append(out, t)
		}
	}
	return out
}

// Top lists the top-level tests.
func (r Report) Top() []TestResult {
	var out []TestResult
	for _, t := range r.Tests {
		if !strings.Contains(t.Test, "/") {
			out = append(out, t)
		}
	}
	return out
}

// FirstError is the first line of compiler or vet output that is not a
// "# package" header: what a one-line message should quote.
func FirstError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return strings.TrimSpace(out)
}

// Relative strips dir from the paths in the go command's output, so a
// prompt quoting it (and the prompt's cache key) is the same on every
// machine.
func Relative(out, dir string) string {
	return strings.ReplaceAll(out, dir+string(os.PathSeparator), "")
}

// Or fills what g leaves unset: the log a phase writes to and the
// environment it runs in.
func (g Go) Or(log io.Writer, environ []string) Go {
	if g.Log == nil {
		g.Log = log
	}
	if g.Environ == nil {
		g.Environ = environ
	}
	return g
}
