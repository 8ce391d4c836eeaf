package review

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

const adminSrc = `package main

import (
	"net/http"
)

// handleVersion answers with the build's version, for operators.
func handleVersion(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("1.4.2"))
}

var _ = handleVersion
`

func answer(risk, confidence float64, approvable bool, items ...Item) string {
	if items == nil {
		items = []Item{}
	}
	b, _ := json.Marshal(Answer{RiskScore: risk, Confidence: confidence, AutoApprovable: approvable, Rationale: "because",
		SecurityFindings: items, PerformanceConcerns: []Item{}, CoverageGaps: []Item{}, BreakingChanges: []Item{}, Evidence: []Item{}})
	return string(b)
}

// modelReview reviews a new service/admin.go with the review role
// answering what answers says (by request number).
func modelReview(t *testing.T, limits Thresholds, answers func(n int) string) (Result, int) {
	t.Helper()
	dir, cfg := gitRepo(t, ".")
	write(t, dir, "service/admin.go", adminSrc)
	c, err := WorkingChange(context.Background(), dir, "service", "tests", "orchestrate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := phasetest.New(t, Name, cfg, func(p string, n int) (string, bool) { return answers(n), p == "review.risk" })
	res, err := Review(context.Background(), Request{Service: "svc", Root: dir, Change: c, Limits: limits, Model: h.Env.LLM})
	if err != nil {
		t.Fatal(err)
	}
	return res, h.Server.Requests()
}

func TestTheGateOnTheModelsAnswer(t *testing.T) {
	in := Item{File: "service/admin.go", Line: 10, Note: "no check of the method"}
	cases := []struct {
		name     string
		answer   func(n int) string
		escalate bool
		reason   string
	}{
		{"low risk, sure, approvable", func(int) string { return answer(2, 0.9, true) }, false, ""},
		{"risk at the threshold", func(int) string { return answer(7, 0.9, false, in) }, true, "risk score 7.0 is at or above 7.0"},
		{"unsure", func(int) string { return answer(2, 0.3, true) }, true, "confidence 0.30 is below 0.60"},
		{"a breaking change named", func(int) string {
			return strings.Replace(answer(2, 0.9, true), `"breaking_changes":[]`, `"breaking_changes":[{"file":"service/admin.go","line":9,"note":"new route"}]`, 1)
		}, true, "names a breaking change at service/admin.go:9"},
		{"not JSON twice", func(int) string { return "I think it is fine." }, true, "the model review is missing: the model review failed"},
		{"a line outside the diff", func(int) string {
			return answer(1, 0.9, true, Item{File: "service/main.go", Line: 3, Note: "elsewhere"})
		}, true, "names lines outside the diff (security_findings names service/main.go:3)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, _ := modelReview(t, DefaultThresholds(), c.answer)
			if res.Decision.Escalate != c.escalate {
				t.Fatalf("escalate %v, want %v: %q (model %+v)", res.Decision.Escalate, c.escalate, res.Decision.Reasons, res.Model)
			}
			if c.reason != "" && !strings.Contains(strings.Join(res.Decision.Reasons, "\n"), c.reason) {
				t.Errorf("reasons %q lack %q", res.Decision.Reasons, c.reason)
			}
		})
	}
}

// A change larger than one question is reviewed in parts, and the parts'
// answers merged; more parts than allowed escalates without asking.
func TestALargeChangeIsReviewedInPartsOrEscalated(t *testing.T) {
	limits := DefaultThresholds()
	limits.PromptBytes = 200 // the admin file's one hunk is larger
	res, asked := modelReview(t, limits, func(int) string { return answer(1, 0.9, true) })
	if !res.Decision.Escalate || asked != 0 || !strings.Contains(res.Model.Why, "larger than phases.review.prompt_bytes") {
		t.Fatalf("a hunk over the budget: %+v, %d asked", res.Model, asked)
	}

	dir, cfg := gitRepo(t, ".")
	write(t, dir, "service/a.go", "package main\n\nvar a = 1\n\nvar _ = a\n")
	write(t, dir, "service/b.go", "package main\n\nvar b = 2\n\nvar _ = b\n")
	c, err := WorkingChange(context.Background(), dir, "service")
	if err != nil {
		t.Fatal(err)
	}
	limits.PromptBytes = 2048
	parts, ok := Parts(c, fromDir(dir), 100)
	if !ok || len(parts) != 2 {
		t.Fatalf("parts: %d %v", len(parts), ok)
	}
	limits.PromptBytes, limits.MaxParts = 100, 2
	h := phasetest.New(t, Name, cfg, func(p string, n int) (string, bool) { return answer(float64(n), 0.9-0.1*float64(n), true), true })
	res, err = Review(context.Background(), Request{Service: "svc", Root: dir, Change: c, Limits: limits, Model: h.Env.LLM})
	if err != nil || res.Model.Parts != 2 || !res.Model.Ran || res.Model.Answer.RiskScore != 2 || res.Model.Answer.Confidence != 0.7 {
		t.Fatalf("in parts: %v %+v", err, res.Model)
	}
	limits.MaxParts = 1
	res, err = Review(context.Background(), Request{Service: "svc", Root: dir, Change: c, Limits: limits, Model: h.Env.LLM})
	if err != nil || !res.Decision.Escalate || !strings.Contains(res.Model.Why, "more than phases.review.max_parts (1)") {
		t.Fatalf("over max_parts: %v %+v", err, res.Model)
	}
}

// The review role's recorded answers are keyed by these bytes: a change to
// Answer or its tags means recording them again.
func TestSchemaIsPinned(t *testing.T) {
	var b bytes.Buffer
	if err := json.Compact(&b, Schema); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","additionalProperties":false,"required":["risk_score","security_findings","performance_concerns","coverage_gaps","breaking_changes","auto_approvable","rationale","confidence","evidence"],"properties":{"risk_score":{"type":"number","minimum":0,"maximum":10},"security_findings":{"type":"array","items":{"$ref":"#/$defs/item"}},"performance_concerns":{"type":"array","items":{"$ref":"#/$defs/item"}},"coverage_gaps":{"type":"array","items":{"$ref":"#/$defs/item"}},"breaking_changes":{"type":"array","items":{"$ref":"#/$defs/item"}},"auto_approvable":{"type":"boolean"},"rationale":{"type":"string","minLength":1},"confidence":{"type":"number","minimum":0,"maximum":1},"evidence":{"type":"array","items":{"$ref":"#/$defs/item"}}},"$defs":{"item":{"type":"object","additionalProperties":false,"required":["file","line","note"],"properties":{"file":{"type":"string"},"line":{"type":"integer","minimum":0},"note":{"type":"string"}}}}}`
	if b.String() != want {
		t.Errorf("the schema changed:\n got %s\nwant %s", b.String(), want)
	}
}
