// Package review is the review phase and `orchestrate review`: a change
// (a diff) is checked deterministically (gitleaks' detector for secrets,
// gosec's rules and analyzers, risky constructs, the spec's API against
// its previous version), then the review role scores its risk, and a gate
// decides whether a human must approve it before it is deployed.
package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// Thresholds are the gate's settings (config phases.review).
type Thresholds struct {
	MaxRisk       float64 `json:"max_risk"`       // a risk score at or above it escalates
	MinConfidence float64 `json:"min_confidence"` // a confidence below it escalates
	PromptBytes   int     `json:"prompt_bytes"`   // the change shown in one question
	MaxParts      int     `json:"max_parts"`      // questions for one change; more escalates
}

// DefaultThresholds are the gate's defaults: risk 7 (the pipeline notes'
// max_risk_score), confidence 0.6 (policy.min_confidence's default).
func DefaultThresholds() Thresholds {
	return Thresholds{MaxRisk: 7, MinConfidence: 0.6, PromptBytes: 12 << 10, MaxParts: 4}
}

// Request is one review.
type Request struct {
	Service  string     // the service's name, for the prompt
	Root     string     // where the change's new versions are (the working tree)
	Change   Change     //
	Breaking []Finding  // the spec comparison, done by the caller
	Limits   Thresholds //
	// Model asks the review role; nil when no model is configured for it.
	Model   *llm.Session
	Offline bool // replay only: a missing answer means the model review did not run
}

// Result is what a review found and decided.
type Result struct {
	Base         string    `json:"base"`
	ChangeSHA256 string    `json:"change_sha256"`
	Files        []string  `json:"files"`
	Added        int       `json:"added"`
	Removed      int       `json:"removed"`
	Findings     []Finding `json:"findings"`
	Problems     []string  `json:"problems,omitempty"` // what a check could not do
	Model        Model     `json:"model"`
	Decision     Decision  `json:"decision"`
}

// Model is what the review role did.
type Model struct {
	Ran     bool     `json:"ran"`              // an answer was used
	Why     string   `json:"why,omitempty"`    // why it did not run, or why its answer was not used
	Broken  bool     `json:"broken,omitempty"` // it answered, but nothing usable
	Parts   int      `json:"parts"`            // questions the change was split into
	Answer  *Answer  `json:"answer,omitempty"` //
	Prompts []string `json:"prompts,omitempty"`
}

// Review runs the checks, asks the role, and decides.
func Review(ctx context.Context, r Request) (Result, error) {
	c := r.Change
	add, del := c.Lines()
	res := Result{Base: c.Base, ChangeSHA256: c.SHA256(), Added: add, Removed: del, Findings: append([]Finding(nil), r.Breaking...)}
	for _, f := range c.Files {
		res.Files = append(res.Files, f.Path)
	}
	read := fromDir(r.Root)
	secrets, err := Secrets(ctx, c, read)
	if err != nil {
		return res, err
	}
	res.Findings = append(res.Findings, secrets...)
	sec, problems, err := Gosec(c, r.Root)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
	}
	res.Problems = append(res.Problems, problems...)
	res.Findings = append(res.Findings, sec...)
	res.Findings = sortFindings(append(res.Findings, Constructs(c, read)...))
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.Model = ask(ctx, r, res.Findings, read)
	res.Decision = Decide(res, r.Limits)
	return res, ctx.Err()
}

// ask puts the change to the review role, in parts when it is larger than
// one question may be.
func ask(ctx context.Context, r Request, findings []Finding, read source) Model {
	if r.Model == nil {
		return Model{Why: "no model is configured for the review role (llm.roles.review): the deterministic checks decided alone"}
	}
	parts, ok := Parts(r.Change, read, r.Limits.PromptBytes)
	m := Model{Parts: len(parts)}
	switch {
	case !ok:
		return Model{Broken: true, Why: fmt.Sprintf("a hunk is larger than phases.review.prompt_bytes (%d bytes): the change cannot be shown to the model", r.Limits.PromptBytes)}
	case len(parts) > r.Limits.MaxParts:
		return Model{Broken: true, Parts: len(parts), Why: fmt.Sprintf("the change needs %d questions of %d bytes, more than phases.review.max_parts (%d): too large to review automatically", len(parts), r.Limits.PromptBytes, r.Limits.MaxParts)}
	}
	var answers []Answer
	for i, p := range parts {
		prompt, err := Prompt(r.Service, r.Change, findings, p, i+1, len(parts))
		if err != nil {
			return Model{Broken: true, Why: err.Error()}
		}
		rep, err := llm.AskFor[Answer](ctx, r.Model, llm.Ask{Role: Role, Prompt: prompt, Schema: Schema, SchemaName: "review"})
		if f := rep.Exchange.PromptFile(); f != "" {
			m.Prompts = append(m.Prompts, f)
		}
		if err != nil {
			return notRun(m, r.Offline, rep.Exchange, err)
		}
		answers = append(answers, rep.Answer)
	}
	a := merge(answers)
	m.Answer = &a
	if bad := a.OutsideDiff(r.Change); len(bad) > 0 {
		m.Broken, m.Why = true, fmt.Sprintf("the answer names lines outside the diff (%s): it is not a review of this change", join(bad, 3))
		return m
	}
	m.Ran = true
	return m
}

// notRun says why the model's answer cannot be used. Offline with no
// recorded answer, the deterministic checks decide alone; any other
// failure (two answers that are not the JSON asked for, an unreachable
// model, a spent budget) is a broken review, and the gate escalates.
func notRun(m Model, offline bool, x llm.Exchange, err error) Model {
	var fe *failure.Error
	if offline && x.ParseError == "" && !x.CacheHit && errors.As(err, &fe) && fe.Class == failure.LLMError {
		m.Why = "offline, and the replay cache has no answer for this change: the deterministic checks decided alone"
		return m
	}
	m.Broken = true
	m.Why = "the model review failed: " + err.Error()
	return m
}

func join(s []string, n int) string {
	if len(s) > n {
		return fmt.Sprintf("%s and %d more", joinAll(s[:n]), len(s)-n)
	}
	return joinAll(s)
}

func joinAll(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}
