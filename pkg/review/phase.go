package review

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// Name is the phase's name.
const Name = "review"

// Input is what the review phase reads.
type Input struct {
	Workdir  string       `json:"workdir"`
	RunID    string       `json:"run_id"`
	Spec     spec.Service `json:"spec"`
	SpecFile string       `json:"spec_file"` // relative to the workdir
	Limits   Thresholds   `json:"limits"`
	Offline  bool         `json:"offline"`
	Model    bool         `json:"model"` // a model is configured for the review role
	// Head is the id of the commit the change is reviewed against; ""
	// outside a git repository.
	Head string `json:"head,omitempty"`
}

// Output is the review and the gate's decision.
type Output struct {
	Result
	Patch  string `json:"patch,omitempty"`  // the change reviewed, relative to the run directory
	Report string `json:"report,omitempty"` // review.md, relative to the run directory
}

// Settings is the phase's part of the config: a human approves a risk of
// 7 or more, or a review less confident than 0.6; a review question of
// 12 KiB, a diff in at most four parts.
var Settings = config.SectionOf(Name, "review", Config{MaxRisk: 7, MinConfidence: 0.6, PromptBytes: 12 << 10, MaxParts: 4},
	func(c *config.Config) error {
		if r := config.Get[Config](c, Name); r.MaxRisk < 0 || r.MaxRisk > 10 || r.MinConfidence < 0 || r.MinConfidence > 1 || r.PromptBytes < 2048 || r.MaxParts < 1 {
			return &config.KeyError{Key: "phases.review", Msg: "max_risk must be 0-10, min_confidence 0-1, prompt_bytes at least 2048 and max_parts at least 1"}
		}
		return nil
	}, Role)

// Config is the phase's part of the config, phases.review: the gate
// before deploy.
type Config struct {
	// MaxRisk: a risk score (0-10) from the review role at or above it
	// needs a human's approval.
	MaxRisk float64 `yaml:"max_risk" json:"max_risk"`
	// MinConfidence: a review less sure than this (0-1) needs a human.
	MinConfidence float64 `yaml:"min_confidence" json:"min_confidence"`
	// PromptBytes bounds the change shown in one question; a larger change
	// is reviewed in parts.
	PromptBytes int `yaml:"prompt_bytes" json:"prompt_bytes"`
	// MaxParts bounds those parts; a larger change needs a human.
	MaxParts int `yaml:"max_parts" json:"max_parts"`
}

// Thresholds are the gate's limits from the phase's config.
func (r Config) Thresholds() Thresholds {
	return Thresholds(r)
}

// Configure builds the phase's Input from the run's settings.
func Configure(s phase.Setup) (Input, error) {
	c := s.Config
	r := config.Get[Config](c, Name)
	_, model := c.LLM.Roles[Role]
	return Input{Workdir: s.Workdir, RunID: s.RunID, Spec: c.Service, SpecFile: config.FileName, Offline: c.LLM.Mode == llm.ModeReplay, Model: model,
		Limits: r.Thresholds(), Head: head(s.Workdir)}, nil
}

// Run reviews the run's change: service/, tests/ and the spec against the
// last commit. A change the gate escalates holds the run before deploy.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	c, err := WorkingChange(ctx, in.Workdir, in.Spec.Dir, in.Spec.TestsDir, in.SpecFile)
	switch {
	case errors.Is(err, ErrNoGit):
		return Output{}, phase.Skip("the workdir is not in a git repository: there is no previous version to review the change against (commit it, or review a diff with `orchestrate review --diff`)")
	case err != nil:
		return Output{}, fmt.Errorf("review: the change against HEAD: %w", err)
	case c.Empty():
		return Output{}, phase.Skip(fmt.Sprintf("nothing changed against HEAD in %s/, %s/ or %s: nothing to review", in.Spec.Dir, in.Spec.TestsDir, in.SpecFile))
	}
	breaking, err := breakingOf(ctx, in)
	if err != nil {
		return Output{}, err
	}
	req := Request{Service: in.Spec.Name, Root: in.Workdir, Change: c, Breaking: breaking, Limits: in.Limits, Offline: in.Offline}
	if in.Model {
		req.Model = env.LLM
	}
	res, err := Review(ctx, req)
	out := Output{Result: res}
	if err != nil {
		return out, err
	}
	record(env)
	if _, err := env.Art.Write("diffs/change.patch", []byte(c.Patch)); err == nil {
		out.Patch = env.Art.Rel("diffs/change.patch")
	}
	if _, err := env.Art.Write("review.md", []byte(Markdown(res, in.RunID))); err == nil {
		out.Report = env.Art.Rel("review.md")
	}
	if res.Decision.Escalate {
		return out, phase.Hold(holdReason(res), approveHint(in.RunID, out.Report))
	}
	return out, nil
}

func breakingOf(ctx context.Context, in Input) ([]Finding, error) {
	old, ok, err := PreviousSpec(ctx, in.Workdir, "HEAD", filepath.ToSlash(in.SpecFile))
	if err != nil || !ok {
		return nil, err
	}
	return Breaking(old, in.Spec, in.SpecFile), nil
}

func record(env phase.Env) {
	if env.Tools == nil {
		return
	}
	now := env.Now()
	env.Tools.Record(phase.ToolUse{Time: now, Phase: Name, Tool: "gitleaks", Version: "v8 (detect package)", Role: "secret scanning of the change",
		Why: "Its default rules find keys, tokens and passwords in the added lines before the change is deployed or shown to a model."})
	env.Tools.Record(phase.ToolUse{Time: now, Phase: Name, Tool: "gosec", Version: "v2 (rules and analyzers)", Role: "security analysis of the changed packages",
		Why: "Its rules (hardcoded credentials, injection, unsafe TLS, weak crypto) run in-process on the packages the change touches."})
}

// holdReason is the summary's line: how many reasons, the first ones.
func holdReason(r Result) string {
	d := r.Decision.Reasons
	return fmt.Sprintf("the review gate needs a human for change %s (%d reason(s)): %s", r.ChangeSHA256[:12], len(d), join(d, 2))
}

func approveHint(runID, report string) string {
	if report == "" {
		report = "review.md in the run's review folder"
	}
	return fmt.Sprintf("read %s, then `orchestrate approve %s --reason \"…\"` and `orchestrate run --resume %s`", report, runID, runID)
}
