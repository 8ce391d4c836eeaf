package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// glance is the report's first screen: what happened, what failed and
// why, what the models did and what it cost.
type glance struct {
	Happened string
	Failed   []glanceFailure
	More     int // failures left out of Failed
	AI       []string
	Answers  string
	Cost     string
}

// glanceFailure is one failure as the first screen names it: the test
// and its assertion when a test failed, else the phase and its message.
type glanceFailure struct {
	Test, Message, Where, Class, Phase string
	Evidence                           []string
}

// maxGlance bounds the failures and the evidence lines the first screen
// shows; the Failures section has all of them.
const maxGlance = 3

func newGlance(v view) glance {
	g := glance{Happened: v.Outcome, Answers: answers(v.Calls), Cost: cost(v)}
	g.Failed, g.More = failed(v)
	for _, r := range v.Rows {
		if r.Detail.AI != "" {
			g.AI = append(g.AI, r.Name+": "+r.Detail.AI)
		}
	}
	return g
}

// failed lists the failures: the test phase's last iteration's, which
// know their test and evidence, for a test failure; the summary's for the
// others.
func failed(v view) ([]glanceFailure, int) {
	var out []glanceFailure
	for _, f := range v.Failures {
		if f.Phase == "test" && len(lastFailures(v)) > 0 {
			continue
		}
		out = append(out, glanceFailure{Message: f.Message, Where: f.Where, Class: f.Class, Phase: f.Phase})
	}
	var tests []glanceFailure
	for _, f := range lastFailures(v) {
		ev := f.Evidence
		if len(ev) > maxGlance {
			ev = ev[:maxGlance]
		}
		tests = append(tests, glanceFailure{Test: f.Test, Message: firstLine(f.Message), Where: f.Where, Class: f.Class, Phase: "test", Evidence: ev})
	}
	out = append(tests, out...)
	if len(out) > maxGlance {
		return out[:maxGlance], len(out) - maxGlance
	}
	return out, 0
}

// lastFailures are the failures of the test phase's last iteration when
// the phase failed: the ones the run ended with.
func lastFailures(v view) []FailureDetail {
	for _, r := range v.Rows {
		if r.Name == "test" && r.Status == "failed" && len(r.Detail.Iterations) > 0 {
			return r.Detail.Iterations[len(r.Detail.Iterations)-1].Failures
		}
	}
	return nil
}

// answers says where the models' answers came from: live, or replayed
// from the cache, recorded from a model or written by hand.
func answers(calls []Call) string {
	if len(calls) == 0 {
		return "no model was asked"
	}
	live, fixture, failed := 0, 0, 0
	recorded := map[string]int{}
	for _, c := range calls {
		switch {
		case c.Error != "":
			failed++
		case !c.CacheHit:
			live++
		case c.Source == "fixture":
			fixture++
		default:
			recorded[c.AnsweredBy]++
		}
	}
	var parts []string
	if live > 0 {
		parts = append(parts, fmt.Sprintf("%d answered live", live))
	}
	for _, m := range sortedKeys(recorded) {
		parts = append(parts, fmt.Sprintf("%d replayed, recorded from %s", recorded[m], orUnknown(m)))
	}
	if fixture > 0 {
		parts = append(parts, fmt.Sprintf("%d replayed hand-written fixture(s), not a model's answer", fixture))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
	}
	return fmt.Sprintf("%d model call(s): %s", len(calls), strings.Join(parts, "; "))
}

// cost is what the run spent: money and tokens on live calls, and time.
func cost(v view) string {
	s := fmt.Sprintf("$%.4f on models (%d prompt + %d completion tokens spent by this run); phases took %.1fs",
		v.LLM.CostUSD, v.LLM.PromptTokens, v.LLM.CompletionTokens, v.Total)
	return s
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "a model not named in the cache"
	}
	return s
}

// noteCount is how the outcome line counts failures and notes.
func noteCount(failures, notes []summary.Failure) string {
	return fmt.Sprintf("%d failure(s), %d note(s)", len(failures), len(notes))
}
