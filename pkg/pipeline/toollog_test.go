package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// A fixture is named as one, a replayed answer by the model it was
// recorded from; the row gives the role's reason.
func TestModelToolNamesWhoAnswered(t *testing.T) {
	at := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		x          llm.Exchange
		tool, vers string
	}{
		{"fixture", llm.Exchange{Role: "codegen", Provider: "openai", Model: "gpt-4o-mini", CacheHit: true,
			Provenance: &llm.Provenance{Source: "fixture", Model: "hand-written-fixture"}}, "hand-written fixture", "replayed (role codegen configured for openai/gpt-4o-mini)"},
		{"recorded", llm.Exchange{Role: "triage", Provider: "bridge", Model: "m", CacheHit: true,
			Provenance: &llm.Provenance{Source: "recorded", Provider: "bridge", Model: "claude-via-modelbridge", RecordedAt: at}}, "bridge/claude-via-modelbridge", "replayed, recorded 2026-11-21"},
		{"live", llm.Exchange{Role: "fixer", Provider: "ollama", Model: "qwen", ModelSeen: "qwen:7b"}, "ollama/qwen", "qwen:7b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tool, vers := modelTool(tt.x)
			if tool != tt.tool || vers != tt.vers {
				t.Errorf("got %q %q, want %q %q", tool, vers, tt.tool, tt.vers)
			}
			if why := modelWhy(tt.x); strings.Contains(why, " via ") || len(why) < 40 {
				t.Errorf("why %q is a description, not a reason", why)
			}
		})
	}
}

func TestDedupeFoldsRepeats(t *testing.T) {
	u := phase.ToolUse{Phase: "lint", Tool: "go build", Version: "go1.26", Why: "w"}
	v := phase.ToolUse{Phase: "test", Tool: "go test -json", Version: "go1.26", Why: "x"}
	out, n := dedupe([]phase.ToolUse{u, v, u, v, v})
	if len(out) != 2 || n[0] != 2 || n[1] != 3 {
		t.Errorf("got %v %v", out, n)
	}
}
