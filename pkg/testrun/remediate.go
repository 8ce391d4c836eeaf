package testrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/tools/imports"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// Answer is the triage role's answer.
type Answer struct {
	Class       string        `json:"class"`
	RootCause   string        `json:"root_cause"`
	Confidence  float64       `json:"confidence" schema:"minimum=0,maximum=1"`
	TestIsWrong bool          `json:"test_is_wrong" schema:"optional"`
	NeedsHuman  bool          `json:"needs_human" schema:"optional"`
	Need        []string      `json:"need,omitempty" schema:"nullable"`
	Edits       []change.Edit `json:"edits" schema:"nullable"`
}

// AnswerSchema is the JSON Schema of Answer.
var AnswerSchema = llm.SchemaOf[Answer]()

// maxFollowUps bounds how often the model may ask to see more code about
// one cluster.
const maxFollowUps = 2

// remediate proposes and applies one change for the failures of an
// iteration: clusters in order (builds, panics, unit, end to end), each
// tried once with the same failures; a deterministic fix when one is
// known, else the triage role's. A cluster whose proposal is refused, is
// not an edit, or asks for a human is recorded and the next is tried. It
// returns the applied change awaiting the next run's verdict, or nil.
func (l *loop) remediate(ctx context.Context, n int, fs []triage.Failure) (*Remediation, error) {
	asked := 0
	for _, c := range clusterFailures(fs) {
		key := strings.Join(c.Signatures(), " ; ")
		if l.triedOn(key) {
			continue
		}
		r := &Remediation{Iteration: n, Failure: c.First(), Cluster: c.Why, Targets: c.Signatures(), Failures: [2]int{len(fs), -1}, targets: c.Failures, key: key}
		set, fixer, why, ok, err := l.deterministic(ctx, c.First())
		if err != nil {
			return nil, err
		}
		if ok {
			l.tried[key] = l.txn.Kept()
			r.Record = l.txn.Next("deterministic", fixer)
			r.Class, r.RootCause, r.Confidence, r.set = string(c.First().Class), why, 1, set
		} else {
			if l.env.LLM == nil {
				l.tried[key] = l.txn.Kept()
				r.Record = l.txn.Next("model", "")
				l.reject(r, change.Proposal, "no triage role is configured: a human must look at this failure")
				continue
			}
			if asked == l.maxQuestions() {
				l.out.QuestionCapHit, l.out.QuestionCap = append(l.out.QuestionCapHit, n), l.maxQuestions()
				break
			}
			l.tried[key] = l.txn.Kept()
			asked++
			if err := l.ask(ctx, r, c); err != nil {
				return nil, err
			}
			if r.Status != "" || l.out.Stop != "" {
				if l.out.Stop != "" {
					return nil, nil
				}
				continue // recorded: refused, a proposal, or invalid
			}
		}
		if applied, err := l.try(r); err != nil || applied || l.out.Stop != "" {
			if applied {
				return r, err
			}
			return nil, err
		}
	}
	return nil, nil
}

func (l *loop) maxQuestions() int { return l.in.MaxQuestions }

// triedOn says whether the cluster was tried already: on this tree, or at
// all when its change was not reverted (a refusal, or a model that says a
// human must decide, is not asked again). A change reverted on an older
// tree is tried again once another change was kept: the verdict may differ.
func (l *loop) triedOn(key string) bool {
	gen, ok := l.tried[key]
	return ok && (!l.reverted[key] || gen == l.txn.Kept())
}

// try checks a proposed change against the policy and applies it.
func (l *loop) try(r *Remediation) (bool, error) {
	if k := l.txn.Again(r.set); k > 0 {
		l.reject(r, change.Refused, fmt.Sprintf("the same change as remediation %d, which was reverted", k))
		l.stop(StopStuck, fmt.Sprintf("the model proposed again the change of remediation %d, which was reverted; both are in the report", k))
		return false, nil
	}
	if why := l.txn.Check(r.set, r.TestIsWrong); why != "" {
		l.reject(r, change.Refused, why)
		return false, nil
	}
	if err := l.txn.Apply(&r.Record, r.set); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return false, err
		}
		l.reject(r, change.Invalid, "could not apply: "+err.Error())
		return false, nil
	}
	r.diff, _ = r.set.Patch()
	for _, p := range r.Files {
		if strings.HasPrefix(p, strings.Trim(l.in.Spec.Dir, "/")+"/") && l.deployed != nil {
			l.stale, r.Redeployed = true, true
		}
	}
	l.out.Remediations = append(l.out.Remediations, *r)
	*r = l.out.Remediations[len(l.out.Remediations)-1]
	fmt.Fprintf(l.env.Log, "remediation %d (%s, %s) for %d failure(s) applied; re-running\n", r.N, r.Kind, r.Fixer, len(r.Targets))
	l.event(map[string]any{"decision": "apply-remediation", "n": r.N, "fixer": r.Fixer, "targets": r.Targets, "patch": r.Patch})
	return true, nil
}

// reject records a proposal that was not applied.
func (l *loop) reject(r *Remediation, status change.Status, why string) {
	if err := l.txn.Record(&r.Record, r.set, status, why); err != nil {
		fmt.Fprintf(l.env.Log, "keep rejected patch: %v\n", err)
	}
	r.diff, _ = r.set.Patch()
	l.out.Remediations = append(l.out.Remediations, *r)
	fmt.Fprintf(l.env.Log, "remediation %d for %s: %s: %s\n", r.N, r.Failure.Signature, status, why)
	l.event(map[string]any{"decision": status + "-remediation", "n": r.N, "targets": r.Targets, "reason": why, "patch": r.Patch})
}

func (l *loop) event(fields map[string]any) {
	if err := l.env.Art.Event("decision", fields); err != nil {
		fmt.Fprintf(l.env.Log, "audit event: %v\n", err)
	}
}

// ask puts the cluster to the triage role, showing it what it asks to
// see (up to maxFollowUps times), and fills r from the answer. A failed
// model stops the loop (llm-error, or budget when the budget is spent).
func (l *loop) ask(ctx context.Context, r *Remediation, c Cluster) error {
	pt, err := prompts.Load("test.triage")
	if err != nil {
		return err
	}
	var need []string
	var a Answer
	for q := 0; ; q++ {
		prompt, err := l.question(pt, c, need)
		if err != nil {
			return err
		}
		rep, err := llm.AskFor[Answer](ctx, l.env.LLM, llm.Ask{Role: Role, Prompt: prompt, Schema: AnswerSchema, SchemaName: "triage"})
		a = rep.Answer
		ex := rep.Exchange
		r.Questions++
		if r.Record.N == 0 {
			r.Record = l.txn.Next("model", "model "+modelName(ex)+" (triage role)")
		}
		r.Prompt, r.Response = ex.PromptFile(), ex.ResponseFile()
		if err != nil {
			return l.modelFailed(ctx, r, err)
		}
		if len(a.Edits) > 0 || len(a.Need) == 0 || q == maxFollowUps || sameNeed(need, a.Need) {
			break
		}
		need = append(need, a.Need...)
		fmt.Fprintf(l.env.Log, "the triage role asks to see %s; asking again\n", strings.Join(a.Need, ", "))
	}
	r.Class, r.RootCause, r.Confidence, r.TestIsWrong = a.Class, a.RootCause, a.Confidence, a.TestIsWrong
	l.judgeAnswer(r, a)
	return nil
}

func modelName(ex llm.Exchange) string { return ex.AnsweredBy() }

func sameNeed(had, now []string) bool {
	for _, n := range now {
		if !contains(had, n) {
			return false
		}
	}
	return true
}

func (l *loop) modelFailed(ctx context.Context, r *Remediation, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, llm.ErrNoRecordedAnswer) {
		what := r.Failure.Test
		if what == "" {
			what = r.Failure.Where()
		}
		l.stop(StopNoAnswer, fmt.Sprintf("offline, and no triage answer is recorded for the failure of %s (the question is kept in %s): reported with its class and evidence, nothing remediated", what, r.Prompt))
		return nil
	}
	if r.Record.N == 0 {
		r.Record = l.txn.Next("model", "triage role")
	}
	l.reject(r, change.Invalid, "the triage role failed: "+err.Error())
	if errors.Is(err, llm.ErrBudget) {
		l.stop(StopBudget, "the model budget is spent: "+err.Error())
	} else {
		l.stop(StopModel, "the triage role failed: "+err.Error())
	}
	return nil
}

// judgeAnswer turns an answer into a change, or records why not.
func (l *loop) judgeAnswer(r *Remediation, a Answer) {
	switch {
	case a.NeedsHuman || len(a.Edits) == 0:
		why := "the triage role says a human must decide: " + a.RootCause
		if len(a.Need) > 0 {
			why = fmt.Sprintf("the triage role still asks to see %s: %s", strings.Join(a.Need, ", "), a.RootCause)
		}
		l.reject(r, change.Proposal, why)
	case a.Confidence < l.in.MinConfidence:
		r.set, _ = change.Build(l.in.Workdir, a.Edits, nil)
		l.reject(r, change.Proposal, fmt.Sprintf("confidence %.2f is below policy.min_confidence %.2f; kept as a proposal for a human", a.Confidence, l.in.MinConfidence))
	default:
		set, err := change.Build(l.in.Workdir, a.Edits, nil)
		if err != nil {
			l.reject(r, change.Invalid, "the answer's edits do not apply: "+err.Error())
			return
		}
		r.set = set
	}
}

// deterministic is the fix orchestrate knows without a model: imports and
// formatting, go mod tidy, the service's port against the compose file.
func (l *loop) deterministic(ctx context.Context, f triage.Failure) (change.Set, string, string, bool, error) {
	switch f.Class {
	case failure.ImportError, failure.CompileError:
		set, err := l.goimports()
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "goimports", "imports are missing or unused; goimports adds and removes import lines only", true, nil
	case failure.MissingDependency:
		set, err := l.tidy(ctx)
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "go mod tidy", "a required module is missing from go.mod or go.sum; go mod tidy records what the code imports", true, nil
	case failure.ServiceUnreachable, failure.HealthcheckFailed:
		set, why, err := l.portMismatch()
		if err != nil || set.Empty() {
			return change.Set{}, "", "", false, err
		}
		return set, "compose port check", why, true, nil
	}
	return change.Set{}, "", "", false, nil
}

func (l *loop) goimports() (change.Set, error) {
	var set change.Set
	files, _ := filepath.Glob(filepath.Join(l.serviceDir(), "*.go"))
	for _, abs := range files {
		src, err := os.ReadFile(abs)
		if err != nil {
			return set, err
		}
		fixed, err := imports.Process(abs, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
		if err != nil || bytes.Equal(fixed, src) {
			continue
		}
		set.Files = append(set.Files, change.File{Path: l.rel(abs), Before: src, After: fixed})
	}
	return set, nil
}

func (l *loop) tidy(ctx context.Context) (change.Set, error) {
	dir := l.serviceDir()
	var set change.Set
	before := map[string][]byte{}
	for _, n := range []string{"go.mod", "go.sum"} {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		before[n] = b
	}
	g := l.g
	g.Extra = append(append([]string(nil), g.Extra...), "GOFLAGS=-mod=mod")
	r, err := g.Run(ctx, dir, "mod", "tidy")
	if err != nil || !r.OK() {
		return set, err
	}
	for _, n := range []string{"go.mod", "go.sum"} {
		after, _ := os.ReadFile(filepath.Join(dir, n))
		if !bytes.Equal(after, before[n]) {
			set.Files = append(set.Files, change.File{Path: l.rel(filepath.Join(dir, n)), Before: before[n], After: after})
		}
	}
	// Undo: the change is applied through the policy like any other.
	for _, f := range set.Files {
		abs := filepath.Join(l.in.Workdir, filepath.FromSlash(f.Path))
		if f.Before == nil {
			os.Remove(abs)
		} else {
			_ = os.WriteFile(abs, f.Before, 0o644)
		}
	}
	return set, nil
}

var portEnvRe = regexp.MustCompile(`(?m)^(\s+PORT:\s*)"?(\d+)"?\s*$`)
var portMapRe = regexp.MustCompile(`(?m)^\s+-\s*"?(?:[^"\n]*:)?(\d+)"?\s*$`)

// portMismatch finds a compose file whose service listens (PORT) on a port
// it does not publish, and sets PORT to the published container port.
func (l *loop) portMismatch() (change.Set, string, error) {
	file := l.in.Compose
	if file == "" {
		file = "compose.yaml"
	}
	abs := filepath.Join(l.serviceDir(), file)
	src, err := os.ReadFile(abs)
	if err != nil {
		return change.Set{}, "", nil
	}
	env := portEnvRe.FindSubmatch(src)
	mapped := portMapRe.FindSubmatch(src)
	if env == nil || mapped == nil || string(env[2]) == string(mapped[1]) {
		return change.Set{}, "", nil
	}
	after := portEnvRe.ReplaceAll(src, []byte(`${1}"`+string(mapped[1])+`"`))
	why := fmt.Sprintf("the service listens on PORT %s but the compose file publishes container port %s; PORT is set to %s", env[2], mapped[1], mapped[1])
	return change.Set{Files: []change.File{{Path: l.rel(abs), Before: src, After: after}}}, why, nil
}
