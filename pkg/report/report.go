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
	for _, p := range in.Phases {
		switch p.Status {
		case "failed", "partial":
			failed = append(failed, p.Name)
		case "skipped":
			skipped = append(skipped, p.Name)
		}
	}
	s := fmt.Sprintf("%s: %d phase(s) ran", strings.ToUpper(status(in)), len(in.Phases)-len(skipped))
	if len(failed) > 0 {
		s += ", failed: " + strings.Join(failed, ", ")
	}
	if len(skipped) > 0 {
		s += ", skipped: " + strings.Join(skipped, ", ")
	}
	return s + fmt.Sprintf("; tests %d passed, %d failed; %d failure(s) recorded", in.Tests.Passed, in.Tests.Failed, len(in.Failures))
}

// Recommend lists what to do next, most specific first: what this run's
// failures and skips call for, then the productionising steps that matter
// for a run like this one. It always returns at least three.
func Recommend(in Input) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	classes := map[failure.Class]summary.Failure{}
	for _, f := range in.Failures {
		switch {
		case strings.HasPrefix(f.Message, "injected fault "):
			add("This run planted a fault on purpose (`--inject`); the workdir was restored afterwards. Read 05-test/ to see how it was found and fixed; nothing needs doing in the service.")
			continue
		case strings.HasPrefix(f.Message, "remediated in iteration"):
			add(fmt.Sprintf("A %s failure was fixed by the loop (%s): review the patch and, if the cause is in generated code, fix the prompt or the spec so the next run does not need it.", f.Class, f.Where))
			continue
		case strings.HasPrefix(f.Message, "a human must decide"):
			add(fmt.Sprintf("A proposed change was not applied (%s): %s. Read it and apply it by hand if it is right.", f.Where, f.Message))
			continue
		case f.Class == string(failure.Flaky):
			add(fmt.Sprintf("A test is flaky (%s): fix its dependence on order, time or shared state, or quarantine it; it was reported, not edited.", f.Message))
			continue
		}
		if _, ok := classes[failure.Class(f.Class)]; !ok {
			classes[failure.Class(f.Class)] = f
		}
	}
	keys := make([]string, 0, len(classes))
	for c := range classes {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := classes[failure.Class(k)]
		switch failure.Class(k) {
		case failure.Interrupted:
			add(fmt.Sprintf("The run was interrupted during %s: re-run with `--from %s` to resume there (earlier phases' outputs are in this run's artifacts).", f.Phase, f.Phase))
		case failure.Timeout:
			add(fmt.Sprintf("Phase %s hit a time limit: raise `run.timeout` (or `--timeout`) only after reading its log; a hang usually has a cause worth fixing.", f.Phase))
		case failure.LLMError:
			add("A model call failed (" + f.Message + "): check `orchestrate doctor`, the provider's status and the `llm.budget` limits; with `--offline`, record the missing answer with a live run first.")
		case failure.DockerUnavailable:
			add("Docker was not reachable: start the daemon (`sudo systemctl start docker`) or skip deployment with `--skip deploy,test`.")
		case failure.ConfigError:
			add("Fix the configuration error named above; `orchestrate config` prints the effective configuration.")
		case failure.InternalError:
			add("orchestrate itself failed (a panic): the stack is in the phase's logs/panic.txt; please report it with that file.")
		default:
			add(fmt.Sprintf("Resolve the %s failure in %s: %s.", k, f.Phase, strings.TrimSuffix(f.Message, ".")))
		}
	}
	var skipped []string
	for _, p := range in.Phases {
		if p.Status == "skipped" {
			skipped = append(skipped, p.Name)
		}
	}
	if len(skipped) > 0 {
		add(fmt.Sprintf("Phases %s were skipped: run the whole pipeline before trusting the service end to end.", strings.Join(skipped, ", ")))
	}
	if in.Offline {
		add("This run replayed committed model answers (`--offline`): re-record them against the model you will use in production (`orchestrate run` with a provider configured) and review the diff of the cache.")
	}
	if in.LLM.Calls > 0 && in.LLM.CacheHits < in.LLM.Calls {
		add(fmt.Sprintf("%d of %d model calls missed the cache: commit `llm.cache_dir` so CI replays them for free and deterministically.", in.LLM.Calls-in.LLM.CacheHits, in.LLM.Calls))
	}
	// Standing productionising steps, in order of value for a pipeline
	// that sends code and logs to models.
	add("Keep provider keys in a secret manager and inject them at run time; `secrets.env` names extra variables whose values are redacted from prompts and artifacts.")
	add("Skip unchanged work: each phase's input hash is recorded in the summary, so a phase whose hash matches the last successful run can reuse its output.")
	add("Export the run's trace id and per-phase spans (events.jsonl) to your tracing backend so slow phases and costly prompts are visible across runs.")
	return out
}
