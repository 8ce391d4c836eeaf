// Package report is the last phase: it turns what the run recorded into
// report.md for a reviewer and the recommendations of the summary.
package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Input is the run as recorded up to the report phase.
type Input struct {
	RunID     string            `json:"run_id"`
	TraceID   string            `json:"trace_id"`
	Service   string            `json:"service"`
	StartedAt time.Time         `json:"started_at"`
	Offline   bool              `json:"offline"`
	Phases    []summary.Phase   `json:"phases"`
	Failures  []summary.Failure `json:"failures"`
	Notes     []summary.Failure `json:"notes,omitempty"`
	Tools     []phase.ToolUse   `json:"tools"`
	LLM       summary.LLM       `json:"llm"`
	Tests     Tests             `json:"tests"`
	// Cases are the final per-test results (leaf tests), for junit.xml;
	// none when the test phase did not run.
	Cases []Case `json:"cases,omitempty"`
	// Calls are the model exchanges, in order.
	Calls []Call `json:"calls,omitempty"`
	// Details say what each phase did, its changes and test iterations.
	Details []Detail `json:"details,omitempty"`
}

// Tests are the final test counts.
type Tests = phase.Tests

// Output is what the report phase wrote.
type Output struct {
	Markdown        string   `json:"markdown"` // relative to the run directory
	HTML            string   `json:"html"`
	JUnit           string   `json:"junit,omitempty"`
	Recommendations []string `json:"recommendations"`
}

// Run writes report.md, report.html and junit.xml into the run directory.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	recs := Recommend(in)
	v := newView(in, recs, env.Top.Dir())
	if _, err := env.Top.Write("report.md", []byte(markdown(v))); err != nil {
		return Output{}, fmt.Errorf("report: %w", err)
	}
	out := Output{Markdown: "report.md", Recommendations: recs}
	if err := writeChats(func(name string, b []byte) error {
		_, err := env.Top.Write(name, b)
		return err
	}, env.Top.Dir(), v); err != nil {
		return out, fmt.Errorf("report: %w", err)
	}
	page, err := html(v)
	if err != nil {
		return out, fmt.Errorf("report.html: %w", err)
	}
	if _, err := env.Top.Write("report.html", page); err != nil {
		return out, fmt.Errorf("report: %w", err)
	}
	out.HTML = "report.html"
	if len(in.Cases) > 0 {
		x, err := JUnit(in.RunID, in.Cases)
		if err != nil {
			return out, fmt.Errorf("junit.xml: %w", err)
		}
		if _, err := env.Top.Write("junit.xml", x); err != nil {
			return out, fmt.Errorf("report: %w", err)
		}
		out.JUnit = "junit.xml"
	}
	return out, ctx.Err()
}

// Outcome is the run's outcome in one line.
func Outcome(in Input) string {
	var failed, skipped []string
	reused := 0
	for _, p := range in.Phases {
		switch {
		case p.Status == "failed" || p.Status == "partial":
			failed = append(failed, p.Name)
		case p.Status == "skipped":
			skipped = append(skipped, p.Name)
		case p.Cache != nil && p.Cache.Status == "hit":
			reused++
		}
	}
	s := fmt.Sprintf("%s: %d phase(s) ran", strings.ToUpper(status(in)), len(in.Phases)-len(skipped)-reused)
	if reused > 0 {
		s += fmt.Sprintf(", %d reused from earlier runs (not run again)", reused)
	}
	if len(failed) > 0 {
		s += ", failed: " + strings.Join(failed, ", ")
	}
	if len(skipped) > 0 {
		s += ", skipped: " + strings.Join(skipped, ", ")
	}
	return s + fmt.Sprintf("; tests %d passed, %d failed; %s", in.Tests.Passed, in.Tests.Failed, noteCount(in.Failures, in.Notes))
}

// Recommend lists what to do next, most specific first: what this run's
// failures, notes and skips call for. A run that calls for nothing gets
// none: advice every run gets is advice nobody reads.
func Recommend(in Input) []string {
	var advice []string
	advice = append(advice, failureAdvice(append(append([]summary.Failure(nil), in.Failures...), in.Notes...))...)
	advice = append(advice, runAdvice(in)...)
	return unique(advice)
}

// failureAdvice is what the run's failures call for: each failure whose
// message says what became of it gets advice of its own; the others get
// one piece of advice per class, from the first failure of that class,
// classes in name order.
func failureAdvice(failures []summary.Failure) []string {
	var out []string
	first := map[failure.Class]summary.Failure{}
	for _, f := range failures {
		if s, ok := outcomeAdvice(f); ok {
			out = append(out, s)
			continue
		}
		if _, ok := first[failure.Class(f.Class)]; !ok {
			first[failure.Class(f.Class)] = f
		}
	}
	// Sorted so that the advice comes in the same order on every run.
	keys := make([]string, 0, len(first))
	for c := range first {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, classAdvice(failure.Class(k), first[failure.Class(k)]))
	}
	return out
}

// outcomeAdvice is the advice for a failure that was planted, remediated,
// left for a human or found flaky; false for any other, whose class
// decides the advice.
func outcomeAdvice(f summary.Failure) (string, bool) {
	switch {
	case strings.HasPrefix(f.Message, "injected fault "):
		return "This run planted a fault on purpose (`--inject`); the workdir was restored afterwards. Read 06-test/ to see how it was found and fixed; nothing needs doing in the service.", true
	case strings.HasPrefix(f.Message, "remediated in iteration"):
		return fmt.Sprintf("A failure (%s) was fixed by the loop (%s): review the patch and, if the cause is in generated code, fix the prompt or the spec so the next run does not need it.", f.Class, f.Where), true
	case strings.HasPrefix(f.Message, "a human must decide"):
		return fmt.Sprintf("A proposed change was not applied (%s): %s. Read it and apply it by hand if it is right.", f.Where, f.Message), true
	case strings.HasPrefix(f.Message, "not regenerated: "):
		return "The code was edited by hand and this offline run had no recorded answer for it, so the committed unit tests were kept, not regenerated: run once against a model (without `--offline`) to generate tests for the edited code, and commit the new answers in `llm.cache_dir`.", true
	case f.Class == string(failure.Flaky):
		return fmt.Sprintf("A test is flaky (%s): fix its dependence on order, time or shared state, or quarantine it; it was reported, not edited.", f.Message), true
	}
	return "", false
}

// classAdvice is the advice for a failure of class c; f is the first
// failure of that class.
func classAdvice(c failure.Class, f summary.Failure) string {
	switch c {
	case failure.Interrupted:
		return fmt.Sprintf("The run was interrupted during %s: re-run with `--from %s` to resume there (earlier phases' outputs are in this run's artifacts).", f.Phase, f.Phase)
	case failure.Timeout:
		return fmt.Sprintf("Phase %s hit a time limit: raise `run.timeout` (or `--timeout`) only after reading its log; a hang usually has a cause worth fixing.", f.Phase)
	case failure.LLMError:
		return "A model call failed (" + f.Message + "): check `orchestrate doctor`, the provider's status and the `llm.budget` limits; with `--offline`, record the missing answer with a live run first."
	case failure.DockerUnavailable:
		return "Docker was not reachable: start the daemon (`sudo systemctl start docker`) or skip deployment with `--skip deploy,test`."
	case failure.ConfigError:
		return "Fix the configuration error named above; `orchestrate config` prints the effective configuration."
	case failure.InternalError:
		return "orchestrate itself failed (a panic): the stack is in the phase's logs/panic.txt; please report it with that file."
	}
	return fmt.Sprintf("Resolve the %s failure in %s: %s.", c, f.Phase, strings.TrimSuffix(f.Message, "."))
}

// runAdvice is what the way the run was made calls for: skipped phases,
// replayed answers, model calls that missed the cache.
func runAdvice(in Input) []string {
	var out []string
	var skipped []string
	for _, p := range in.Phases {
		if p.Status == "skipped" {
			skipped = append(skipped, p.Name)
		}
	}
	if len(skipped) > 0 {
		out = append(out, fmt.Sprintf("Phases %s were skipped: run the whole pipeline before trusting the service end to end.", strings.Join(skipped, ", ")))
	}
	if in.LLM.Calls > 0 && in.LLM.CacheHits < in.LLM.Calls {
		out = append(out, fmt.Sprintf("%d of %d model calls missed the cache: commit `llm.cache_dir` so CI replays them for free and deterministically.", in.LLM.Calls-in.LLM.CacheHits, in.LLM.Calls))
	}
	return out
}

// unique keeps the first of each repeated piece of advice, in order: two
// failures that call for the same thing say it once.
func unique(advice []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range advice {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
