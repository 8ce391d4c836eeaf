package pipeline

import (
	"fmt"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// roleWhy is why each role is asked at its stage: the reason, not a
// description of the call.
var roleWhy = map[string]string{
	"codegen": "The handlers are the part of the service no template can write: the spec's behaviour in code, which the compiler then checks.",
	"testgen": "Unit tests beyond the spec's examples reach the code's edges; each is compiled and run before it is kept.",
	"fixer":   "A finding no analyzer fix removes needs an edit that reads the code; the edit is verified by analysing again.",
	"triage":  "A failing test whose cause no deterministic fix knows needs its logs and code read; the proposed edit is kept only if the re-run improves.",
}

// modelTool names who answered a model call, as recorded: the model
// that answered live, the one a replayed answer was recorded from, or a
// hand-written fixture (never the configured model's name for it).
func modelTool(x llm.Exchange) (tool, version string) {
	switch {
	case x.CacheHit && x.Provenance != nil && x.Provenance.Source == "fixture":
		return "hand-written fixture", "replayed (role " + x.Role + " configured for " + x.Provider + "/" + x.Model + ")"
	case x.CacheHit && x.Provenance != nil:
		return x.Provenance.Provider + "/" + x.Provenance.Model, "replayed, recorded " + x.Provenance.RecordedAt.UTC().Format("2006-01-02")
	case x.ModelSeen != "":
		return x.Provider + "/" + x.Model, x.ModelSeen
	}
	return x.Provider + "/" + x.Model, "live"
}

// modelWhy is why the role was asked, and how the call ended when it
// did not end with an answer.
func modelWhy(x llm.Exchange) string {
	why, ok := roleWhy[x.Role]
	if !ok {
		why = fmt.Sprintf("The %s role's answer is what this stage needs from a model.", x.Role)
	}
	if x.Error != "" {
		why += " The call failed: " + x.Error
	}
	return why
}

// dedupe folds tool uses that repeat one another (same phase, tool,
// version, prompt and reason) into the first, counting them.
func dedupe(uses []phase.ToolUse) ([]phase.ToolUse, []int) {
	type key struct{ phase, tool, version, prompt, why string }
	var out []phase.ToolUse
	var counts []int
	at := map[key]int{}
	for _, u := range uses {
		k := key{u.Phase, u.Tool, u.Version, u.Prompt, u.Why}
		if i, ok := at[k]; ok {
			counts[i]++
			continue
		}
		at[k] = len(out)
		out = append(out, u)
		counts = append(counts, 1)
	}
	return out, counts
}
