package config

import (
	"errors"
	"strings"
	"testing"
)

// A negative limit would switch the limit off (a negative llm.timeout
// disables the request timeout), a misspelt role leaves the real one
// unset, and a second YAML document is ignored by the reader: each is a
// config error naming the key.
func TestLimitsAndRolesAreChecked(t *testing.T) {
	tests := []struct {
		name, edit, wantKey string
	}{
		{"negative llm.timeout", "llm:\n  timeout: -5s\n", "llm.timeout"},
		{"negative run.timeout", "run:\n  timeout: -1m\n", "run.timeout"},
		{"negative retry attempts", "llm:\n  retry: {attempts: -1}\n", "llm.retry.attempts"},
		{"negative retry base delay", "llm:\n  retry: {base_delay: -500ms}\n", "llm.retry.base_delay"},
		{"negative retry max delay", "llm:\n  retry: {max_delay: -1s}\n", "llm.retry.max_delay"},
		{"negative run calls", "llm:\n  budget: {run: {calls: -1}}\n", "llm.budget.run.calls"},
		{"negative phase tokens", "llm:\n  budget: {phase: {tokens: -10}}\n", "llm.budget.phase.tokens"},
		{"negative run cost", "llm:\n  budget: {run: {cost_usd: -0.5}}\n", "llm.budget.run.cost_usd"},
		{"negative phase wall", "llm:\n  budget: {phase: {wall: -1m}}\n", "llm.budget.phase.wall"},
		{"negative answer cap", "llm:\n  max_answer_bytes: -1\n", "llm.max_answer_bytes"},
		{"negative price", "llm:\n  prices: {\"gpt-4.1\": {prompt_per_mtok: -1}}\n", "llm.prices.gpt-4.1"},
		{"misspelt role", "roles:\n    trigae: {provider: hosted, model: m}\n", "llm.roles.trigae"},
		{"negative section value", "phases:\n  canary: {wait: -1s}\n", "phases.canary.wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(good, "run:\n  timeout: 10m\n", "", 1)
			if rest, ok := strings.CutPrefix(tt.edit, "roles:\n"); ok {
				body = strings.Replace(body, "  roles:\n", "  roles:\n"+rest, 1)
			} else if rest, ok := strings.CutPrefix(tt.edit, "llm:\n"); ok {
				body = strings.Replace(body, "llm:\n", "llm:\n"+rest, 1)
			} else {
				body += tt.edit
			}
			_, err := loadWith(t, body, nil, nil, fakeSections...)
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tt.wantKey {
				t.Fatalf("error %v, want a config error naming %s", err, tt.wantKey)
			}
			if !strings.Contains(err.Error(), tt.wantKey+": ") {
				t.Errorf("message %q does not name %s", err, tt.wantKey)
			}
		})
	}
}

func TestSecondYAMLDocumentIsRefused(t *testing.T) {
	_, err := load(t, good+"---\nrun:\n  timeout: 1m\n", nil, nil)
	var ke *KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "a second YAML document") || ke.Line != strings.Count(good, "\n")+1 {
		t.Fatalf("error %v (%+v), want the second document refused with its line", err, ke)
	}
	// An explicit start marker on the only document is fine.
	if _, err := load(t, "---\n"+good, nil, nil); err != nil {
		t.Fatalf("one document after ---: %v", err)
	}
}

// Model names hold dots; viper would split the key at them and drop the
// price, so cost and the cost budget would read $0.
func TestPricesOfModelsWithDotsAreKept(t *testing.T) {
	c, err := load(t, strings.Replace(good, "run:\n", "  prices:\n    \"qwen2.5-coder:7b\": {prompt_per_mtok: 0.1, completion_per_mtok: 0.2}\n    gpt-4.1: {prompt_per_mtok: 2, completion_per_mtok: 8}\nrun:\n", 1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.LLM.Prices["gpt-4.1"]; p.PromptPerMTok != 2 || p.CompletionPerMTok != 8 {
		t.Errorf("gpt-4.1 price %+v, want 2/8 (prices: %+v)", p, c.LLM.Prices)
	}
	if p := c.LLM.Prices["qwen2.5-coder:7b"]; p.PromptPerMTok != 0.1 || p.CompletionPerMTok != 0.2 {
		t.Errorf("qwen2.5-coder:7b price %+v, want 0.1/0.2 (prices: %+v)", p, c.LLM.Prices)
	}
}
