package config

import (
	"strings"
	"testing"
)

func TestPublicMasksURLCredentials(t *testing.T) {
	c := Default()
	c.LLM.Providers = map[string]Provider{
		"azure": {Kind: "openai", BaseURL: "https://x.example.com/openai?api-key=abc123secret"},
		"proxy": {Kind: "ollama", BaseURL: "http://user:pw-0123456789@proxy.example:11434"},
	}
	pub, creds := c.Public()
	for _, p := range pub.LLM.Providers {
		if strings.Contains(p.BaseURL, "abc123secret") || strings.Contains(p.BaseURL, "pw-0123456789") || !strings.Contains(p.BaseURL, "REDACTED") {
			t.Errorf("base_url %q", p.BaseURL)
		}
	}
	if len(creds) != 2 {
		t.Errorf("credentials %q, want both", creds)
	}
	if c.LLM.Providers["azure"].BaseURL != "https://x.example.com/openai?api-key=abc123secret" {
		t.Error("Public changed the config it was called on")
	}
}
