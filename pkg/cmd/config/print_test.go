package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

// `orchestrate config` never prints credentials held in a base_url.
func TestPrintMasksBaseURLCredentials(t *testing.T) {
	p := filepath.Join(t.TempDir(), "orchestrate.yaml")
	body := "version: 1\nservice:\n  name: n\n  module: example.com/n\n  description: d\n  endpoints:\n    - method: GET\n      path: /healthz\n      description: h\n      examples: [{name: ok, status: 200, response: {status: ok}}]\n" +
		"llm:\n  providers:\n    azure: {kind: openai, base_url: \"https://x.example.com/openai?api-key=abc123secret\"}\n    proxy: {kind: ollama, base_url: \"http://bob:pw-0123456789@proxy.example:11434\"}\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, stdout, _ := cmdtest.Factory()
	if err := Print(&Options{F: f, ConfigFile: p}); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	if strings.Contains(out, "abc123secret") || strings.Contains(out, "pw-0123456789") {
		t.Errorf("credentials printed:\n%s", out)
	}
	if !strings.Contains(out, "api-key=REDACTED") || !strings.Contains(out, "bob:REDACTED@proxy.example") {
		t.Errorf("masked URLs missing:\n%s", out)
	}
}
