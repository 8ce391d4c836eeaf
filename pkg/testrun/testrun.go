// Package testrun is the test phase: it runs the unit tests and the
// acceptance tests against the deployed service, classifies every failure
// with the deterministic classifier, re-runs a failing test alone before
// anyone edits code (pass then fail is flaky: reported, never "fixed"),
// and remediates in a bounded loop: deterministic fixes first, then the
// triage role's proposal, each through the change policy, applied,
// rebuilt, redeployed when the service changed, re-run, and reverted when
// the failures do not go down. It stops when everything passes, at the
// iteration limit, when it is stuck, or when the model cannot help.
package testrun

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Role is the LLM role that triages failures.
const Role = "triage"

// Input of the test phase.
type Input struct {
	Spec          spec.Service  `json:"spec"`
	Workdir       string        `json:"-"`
	RunID         string        `json:"run_id"`
	MaxIterations int           `json:"max_iterations"`
	Policy        change.Policy `json:"policy"`
	MaxLinesRun   int           `json:"max_lines_per_run"`
	MinConfidence float64       `json:"min_confidence"`
	// MaxQuestions bounds the triage role's questions per iteration (one
	// per cluster of failures).
	MaxQuestions int `json:"max_questions"`
	// PromptBytes bounds one triage question, system message included.
	PromptBytes int `json:"prompt_bytes"`
	// Inject plants a known fault before the first run (see Faults).
	Inject string `json:"inject,omitempty"`
	// Seed places the injected fault among its sites.
	Seed int64 `json:"seed,omitempty"`
	// Service is the running service; nil when deploy did not run or
	// failed, and then the acceptance tests do not run either (recorded,
	// not hidden).
	Service phase.Service `json:"-"`
	// Deployed says whether a service was deployed for the acceptance
	// tests (Service is not nil): a result without them is another one.
	Deployed bool `json:"deployed"`
	// ComposeEnv fingerprints the variables the compose file names: the
	// service the acceptance tests reach is configured by them.
	ComposeEnv string `json:"compose_env,omitempty"`
	// Compose is the service's compose file, relative to its directory.
	Compose string    `json:"-"`
	Environ []string  `json:"-"`
	Go      gotool.Go `json:"-"`
}

// Stop reasons.
const (
	StopPassed = "passed"
	StopFlaky  = "flaky-only"
	StopLimit  = "iteration-limit"
	StopStuck  = "stuck"
	StopNoFix  = "no-fix"
	StopModel  = "llm-error"
	StopBudget = "budget"
	// StopNoAnswer: an offline run met a failure no triage answer was
	// recorded for (the code was edited since): it is reported with its
	// class and evidence, and nothing is remediated.
	StopNoAnswer  = "no-recorded-answer"
	StopInterrupt = "interrupted"
)

// Output of the test phase.
type Output struct {
	Inject       *Injection       `json:"inject,omitempty"`
	Iterations   []Iteration      `json:"iterations"`
	Final        Counts           `json:"final"`
	Remaining    []triage.Failure `json:"remaining"`
	Flaky        []Flake          `json:"flaky,omitempty"`
	Remediations []Remediation    `json:"remediations"`
	Stop         string           `json:"stop"`
	StopDetail   string           `json:"stop_detail"`
	// QuestionCapHit lists the iterations where clusters were left
	// unasked because phases.test.max_questions was reached.
	QuestionCapHit []int `json:"question_cap_hit,omitempty"`
	QuestionCap    int   `json:"question_cap,omitempty"` // phases.test.max_questions, when it was hit
}

// Counts are test counts, leaf tests (a test with subtests counts them).
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Iteration is one run of the suites and what was done about it.
type Iteration struct {
	N        int              `json:"n"`
	Unit     Suite            `json:"unit"`
	E2E      Suite            `json:"e2e"`
	Failures []triage.Failure `json:"failures"`
	Verdict  string           `json:"verdict,omitempty"` // what the run said of the change before it
}

// Suite is one `go test -json` run.
type Suite struct {
	Ran    bool                `json:"ran"`
	Why    string              `json:"why,omitempty"` // why it did not run
	Counts Counts              `json:"counts"`
	Tests  []gotool.TestResult `json:"tests"`
	Log    string              `json:"log,omitempty"` // relative to the run directory
	report gotool.Report
	dir    string
}

// Flake is a test that failed, then passed alone.
type Flake struct {
	Package   string `json:"package"`
	Test      string `json:"test"`
	Signature string `json:"signature"`
	Rerun     string `json:"rerun_log"`
}

// Remediation statuses: the change transaction's.
const (
	Applied  = change.Applied
	Reverted = change.Reverted
	Refused  = change.Refused
	Proposal = change.Proposal
	Invalid  = change.Invalid
)

// Remediation is one proposed change for one cluster of failures and its
// fate.
type Remediation struct {
	change.Record
	Iteration   int            `json:"iteration"`
	Failure     triage.Failure `json:"failure"` // the cluster's first
	Cluster     string         `json:"cluster"` // what its failures share
	Targets     []string       `json:"targets"` // their signatures
	Class       string         `json:"class"`   // the triage's class (the classifier's for a deterministic fix)
	RootCause   string         `json:"root_cause"`
	Confidence  float64        `json:"confidence,omitempty"`
	TestIsWrong bool           `json:"test_is_wrong,omitempty"`
	Questions   int            `json:"questions,omitempty"` // to the model, follow-ups included
	Verdict     *Verdict       `json:"verdict,omitempty"`
	Failures    [2]int         `json:"failures"` // before, after (after: -1 until re-run)
	Redeployed  bool           `json:"redeployed,omitempty"`

	set     change.Set
	diff    string
	targets []triage.Failure // the cluster's failures, for the verdict
	key     string           // the cluster's, for the loop's record of what it tried
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{Remediations: []Remediation{}}
	g := in.Go.Or(env.Log, in.Environ)
	l := &loop{env: env, in: in, g: g, out: &out, tried: map[string]int{}, reverted: map[string]bool{}, seen: map[string]bool{}, flaky: map[string]bool{},
		deployed: in.Service}
	l.txn = &change.Txn{Workdir: in.Workdir, Policy: in.Policy, MaxLinesRun: in.MaxLinesRun,
		Write: func(name string, b []byte) (string, error) {
			if _, err := env.Art.Write(name, b); err != nil {
				return "", err
			}
			return env.Art.Rel(name), nil
		}}
	defer l.restore()
	if in.Inject != "" {
		if err := l.inject(ctx); err != nil {
			return out, err
		}
	}
	err := l.run(ctx)
	l.finish()
	if err == nil && len(out.Remaining) > 0 {
		f := out.Remaining[0]
		// The test and its assertion first, short: the loop's story is
		// in output.json and the report.
		more := ""
		if n := len(out.Remaining) - 1; n > 0 {
			more = fmt.Sprintf("%d more failure(s); ", n)
		}
		err = &failure.Error{Class: f.Class, Where: f.Where(),
			Message: fmt.Sprintf("%s (%sthe loop stopped: %s)", reason(f), more, out.Stop)}
	}
	return out, err
}

type loop struct {
	env      phase.Env
	in       Input
	g        gotool.Go
	out      *Output
	deployed phase.Service
	txn      *change.Txn
	stale    bool            // the service changed since it was deployed
	tried    map[string]int  // clusters (their signatures) a change was tried for: the tree's generation then
	reverted map[string]bool // clusters whose change was reverted
	seen     map[string]bool // failure sets the tree has had
	flaky    map[string]bool // package + test
	cleanup  []string
}

func (l *loop) serviceDir() string {
	return filepath.Join(l.in.Workdir, filepath.FromSlash(l.in.Spec.Dir))
}
func (l *loop) testsDir() string {
	return filepath.Join(l.in.Workdir, filepath.FromSlash(l.in.Spec.TestsDir))
}

// iteration runs both suites, then re-runs each new failing test alone.
// The unit suite runs while the service is made ready (redeployed after a
// change) and tested end to end: the two share only the tree, which
// nothing writes meanwhile. Each suite is recorded once both are done,
// unit first, so the logs and the evidence read the same on every run.
func (l *loop) iteration(ctx context.Context, n int) (Iteration, error) {
	it := Iteration{N: n}
	unit := l.start(ctx, l.serviceDir(), nil)
	e2e, err := l.startE2E(ctx, &it)
	var uerr error
	it.Unit, uerr = l.suite(ctx, n, "unit", unit)
	if uerr != nil {
		e2e.wait()
		return it, uerr
	}
	if err != nil {
		return it, err
	}
	if e2e != nil {
		if it.E2E, err = l.suite(ctx, n, "e2e", e2e); err != nil {
			return it, err
		}
	}
	for _, s := range []*Suite{&it.Unit, &it.E2E} {
		if !s.Ran {
			continue
		}
		for _, f := range triage.FromReport(s.report) {
			f = relFailure(f, l.in.Workdir, s.dir)
			if f.Test != "" && l.flaky[f.Package+"\x00"+f.Test] {
				continue
			}
			if f.Test != "" && l.rerunPasses(ctx, n, s, f) {
				continue
			}
			it.Failures = append(it.Failures, f)
		}
	}
	return it, nil
}

// startE2E readies the deployed service (redeploying it after a change)
// and starts the acceptance tests against it. It returns nil, with the
// reason in it.E2E.Why, when they cannot run.
func (l *loop) startE2E(ctx context.Context, it *Iteration) (*started, error) {
	if l.deployed == nil {
		it.E2E.Why = "no service is deployed (the deploy phase did not run or failed): there is nothing to test end to end"
		return nil, nil
	}
	if err := l.ready(ctx); err != nil {
		var fe *failure.Error
		if ctx.Err() != nil || !asFailure(err, &fe) {
			return nil, err
		}
		it.E2E.Why = "the service could not be deployed: " + err.Error()
		it.Failures = append(it.Failures, fromDeployError(fe))
		return nil, nil
	}
	return l.start(ctx, l.testsDir(), []string{"BASE_URL=" + l.deployed.Endpoint()}), nil
}

func asFailure(err error, fe **failure.Error) bool {
	e, ok := err.(*failure.Error)
	if ok {
		*fe = e
	}
	return ok
}

func fromDeployError(fe *failure.Error) triage.Failure {
	f := triage.FromText(fe.Error(), "", "")
	if len(f) > 0 && f[0].Class != failure.Unknown {
		return f[0]
	}
	return triage.Failure{Class: fe.Class, Owner: failure.Owner(fe.Class), Message: fe.Error(),
		Signature: string(fe.Class) + "|deploy|" + triage.Signature(fe.Message), Evidence: []string{triage.Normalize(fe.Error())}}
}

// relFailure makes the failure's file relative to the workdir.
func relFailure(f triage.Failure, workdir, dir string) triage.Failure {
	if f.File == "" {
		return f
	}
	abs := f.File
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, filepath.FromSlash(abs))
	}
	if _, err := os.Stat(abs); err != nil {
		// go test prints a test file's base name: find it in the module.
		matches, _ := filepath.Glob(filepath.Join(dir, "*", filepath.Base(f.File)))
		if len(matches) == 1 {
			abs = matches[0]
		}
	}
	if r, err := filepath.Rel(workdir, abs); err == nil && filepath.IsLocal(r) {
		f.File = filepath.ToSlash(r)
	}
	return f
}

// started is a suite's `go test -json` under way.
type started struct {
	dir  string
	why  string // it did not start, and why
	g    gotool.Go
	log  *bytes.Buffer // the command line, kept for the phase's log until the suite is recorded
	done chan ran
}

type ran struct {
	r   gotool.Result
	err error
}

// wait waits for the suite's command, when one was started.
func (s *started) wait() {
	if s != nil && s.done != nil {
		r := <-s.done
		s.done <- r
	}
}

// start starts `go test -json` in dir.
func (l *loop) start(ctx context.Context, dir string, extra []string) *started {
	s := &started{dir: dir}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		s.why = fmt.Sprintf("%s has no go.mod", l.rel(dir))
		return s
	}
	s.g, s.log, s.done = l.g, &bytes.Buffer{}, make(chan ran, 1)
	s.g.Extra = append(append([]string(nil), l.g.Extra...), extra...)
	s.g.Log = s.log
	go func() {
		r, err := s.g.Run(ctx, dir, "test", "-json", "-count=1", "./...")
		s.done <- ran{r, err}
	}()
	return s
}

// suite waits for a started suite and records it: its log, its results,
// the tool used.
func (l *loop) suite(ctx context.Context, n int, name string, st *started) (Suite, error) {
	s := Suite{dir: st.dir, Why: st.why}
	if st.done == nil {
		return s, nil
	}
	res := <-st.done
	_, _ = l.env.Log.Write(st.log.Bytes())
	r, err := res.r, res.err
	if err != nil {
		return s, err
	}
	s.Ran = true
	// Paths relative to the module: the evidence, the signatures and the
	// triage prompt (its cache key) are the same in every checkout.
	r.Output = gotool.Relative(gotool.Relative(r.Output, st.dir), l.in.Workdir)
	s.report = gotool.ParseTestJSON([]byte(r.Output))
	s.Tests = s.report.Tests
	s.Counts = leafCounts(s.report)
	if !r.OK() && s.Counts.Failed == 0 {
		s.Counts.Failed = 1 // the package did not build, or its binary crashed
	}
	s.Log = l.write(fmt.Sprintf("logs/%02d-%s.jsonl", n, name), []byte(r.Output))
	l.env.Tools.Record(phase.ToolUse{Time: l.env.Now(), Phase: phase.Test, Tool: "go test -json", Version: st.g.Version(ctx), Role: name + " tests",
		Why: "test2json events give each test's result, duration and output without scraping text"})
	return s, nil
}

// Cases are the last iteration's leaf tests, for junit.xml. A flaky
// test is the result of its re-run (passed), with the failure kept in its
// output.
func (o Output) Cases() []phase.Case {
	if len(o.Iterations) == 0 {
		return nil
	}
	last := o.Iterations[len(o.Iterations)-1]
	flaky := map[string]bool{}
	for _, f := range o.Flaky {
		flaky[f.Package+"\x00"+f.Test] = true
	}
	var out []phase.Case
	for _, s := range []struct {
		name  string
		suite Suite
	}{{"unit", last.Unit}, {"e2e", last.E2E}} {
		for _, t := range leaves(s.suite.Tests) {
			c := phase.Case{Suite: s.name + " " + t.Package, Name: t.Test, Status: t.Action, Seconds: t.Elapsed, Output: t.Output}
			if t.Action == "fail" && flaky[t.Package+"\x00"+t.Test] {
				c.Status, c.Flaky = "pass", true
			}
			out = append(out, c)
		}
	}
	return out
}

func leaves(tests []gotool.TestResult) []gotool.TestResult {
	parent := map[string]bool{}
	for _, t := range tests {
		if i := strings.LastIndex(t.Test, "/"); i > 0 {
			parent[t.Package+"\x00"+t.Test[:i]] = true
		}
	}
	var out []gotool.TestResult
	for _, t := range tests {
		if !parent[t.Package+"\x00"+t.Test] {
			out = append(out, t)
		}
	}
	return out
}

func leafCounts(rep gotool.Report) Counts {
	var c Counts
	for _, t := range leaves(rep.Tests) {
		switch t.Action {
		case "pass":
			c.Passed++
		case "fail":
			c.Failed++
		case "skip":
			c.Skipped++
		}
	}
	return c
}

// rerunPasses re-runs one failing test alone; passing makes it flaky.
func (l *loop) rerunPasses(ctx context.Context, n int, s *Suite, f triage.Failure) bool {
	pattern := ""
	for _, part := range strings.Split(f.Test, "/") {
		if pattern != "" {
			pattern += "/"
		}
		pattern += "^" + regexpQuote(part) + "$"
	}
	g := l.g
	if s.dir == l.testsDir() && l.deployed != nil {
		g.Extra = append(append([]string(nil), g.Extra...), "BASE_URL="+l.deployed.Endpoint())
	}
	pkg := f.Package
	if pkg == "" {
		pkg = "./..."
	}
	r, err := g.Run(ctx, s.dir, "test", "-json", "-count=1", "-run", pattern, pkg)
	if err != nil {
		return false
	}
	log := l.write(fmt.Sprintf("logs/%02d-rerun-%s.jsonl", n, artifact.Slug(f.Test)), []byte(r.Output))
	rep := gotool.ParseTestJSON([]byte(r.Output))
	passed := r.OK() && len(rep.Tests) > 0 && len(rep.Failed()) == 0
	_ = l.env.Art.Event("decision", map[string]any{"decision": "rerun-alone", "test": f.Test, "passed": passed, "log": log})
	if !passed {
		return false
	}
	l.flaky[f.Package+"\x00"+f.Test] = true
	f.Class, f.Owner = failure.Flaky, failure.Owner(failure.Flaky)
	l.out.Flaky = append(l.out.Flaky, Flake{Package: f.Package, Test: f.Test, Signature: f.Signature, Rerun: log})
	fmt.Fprintf(l.env.Log, "%s failed, then passed alone: flaky; reported, not fixed\n", f.Test)
	return true
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, c) {
			b.WriteRune('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ready makes the service answer before the acceptance tests run: a
// deployment the phase cache reused (nothing of it runs) is deployed now,
// and one whose code changed is rebuilt and restarted.
func (l *loop) ready(ctx context.Context) error {
	if !l.deployed.Running() {
		fmt.Fprintf(l.env.Log, "the deploy phase's output was reused from an earlier run: no container of this run runs; deploying it now for the acceptance tests\n")
		next, err := l.deployed.Start(ctx, l.env)
		if err != nil {
			return err
		}
		l.deployed, l.stale = next, false
		fmt.Fprintf(l.env.Log, "deployed: %s\n", next.Endpoint())
		return nil
	}
	if !l.stale {
		return nil
	}
	next, err := l.deployed.Redeploy(ctx, l.env)
	if err != nil {
		return err
	}
	l.deployed = next
	l.stale = false
	fmt.Fprintf(l.env.Log, "redeployed: %s\n", next.Endpoint())
	return nil
}

// finish fills the final counts and what is left.
func (l *loop) finish() {
	if len(l.out.Iterations) == 0 {
		return
	}
	last := l.out.Iterations[len(l.out.Iterations)-1]
	for _, s := range []Suite{last.Unit, last.E2E} {
		l.out.Final.Passed += s.Counts.Passed
		l.out.Final.Failed += s.Counts.Failed
		l.out.Final.Skipped += s.Counts.Skipped
	}
	// A flaky test's final result is its re-run's: it passed alone.
	for _, t := range l.out.Cases() {
		if t.Flaky {
			l.out.Final.Passed++
			l.out.Final.Failed--
		}
	}
	l.out.Remaining = last.Failures
	if l.out.Remaining == nil {
		l.out.Remaining = []triage.Failure{}
	}
}

func (l *loop) write(name string, b []byte) string {
	if _, err := l.env.Art.Write(name, b); err != nil {
		fmt.Fprintf(l.env.Log, "write %s: %v\n", name, err)
	}
	return l.env.Art.Rel(name)
}

func (l *loop) rel(abs string) string {
	if r, err := filepath.Rel(l.in.Workdir, abs); err == nil {
		return filepath.ToSlash(r)
	}
	return abs
}
