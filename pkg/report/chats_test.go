package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Each exchange becomes ai_chats/<n>-<role>.md: system, user, assistant,
// the parsed decision and what became of it, read from the phase's
// output.json.
func TestChats(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"05-test/llm/01-test.triage.prompt.md":    "<!-- prompt test.triage v3 -->\n\n## system\n\nYou triage.\n\n## user\n\nTestX failed: status 500, want 202\n",
		"05-test/llm/01-test.triage.response.txt": `{"class":"assertion_failure","edits":[]}`,
		"05-test/llm/01-test.triage.parsed.json":  `{"class": "assertion_failure"}`,
		"05-test/output.json":                     `{"remediations":[{"status":"reverted","reason":"TestX still fails","response":"05-test/llm/01-test.triage.response.txt","patch":"05-test/diffs/01-triage.patch"}]}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := Input{
		Phases: []summary.Phase{{Name: "scaffold", Status: "success", Dir: "01-scaffold"}, {Name: "test", Status: "failed", Dir: "05-test"}},
		Calls: []Call{
			{Phase: "scaffold", N: 1, Role: "codegen", Provider: "openai", Model: "m", Prompt: "scaffold.codegen", CacheHit: true, Source: "fixture",
				PromptFile: "01-scaffold/llm/01-scaffold.codegen.prompt.md", ResponseFile: "01-scaffold/llm/01-scaffold.codegen.response.txt"},
			{Phase: "test", N: 1, Role: "triage", Provider: "ollama", Model: "q", Prompt: "test.triage",
				PromptFile: "05-test/llm/01-test.triage.prompt.md", ResponseFile: "05-test/llm/01-test.triage.response.txt"},
		},
		Details: []Detail{{Phase: "scaffold", AI: "wrote the handlers"}},
	}
	got := map[string]string{}
	err := writeChats(func(name string, b []byte) error { got[name] = string(b); return nil }, dir, newView(in, nil, dir))
	if err != nil {
		t.Fatal(err)
	}
	triage := got["ai_chats/02-triage.md"]
	for _, want := range []string{"## system\n\nYou triage.", "## user\n\nTestX failed", "## assistant\n\n```\n{\"class\"", "## decision (parsed)\n\n```json\n{\"class\": \"assertion_failure\"}",
		"## what became of it\n\nreverted: TestX still fails (patch [05-test/diffs/01-triage.patch](../05-test/diffs/01-triage.patch))", "answered by: ollama/q"} {
		if !strings.Contains(triage, want) {
			t.Errorf("02-triage.md lacks %q:\n%s", want, triage)
		}
	}
	codegen := got["ai_chats/01-codegen.md"]
	for _, want := range []string{"answered by: hand-written fixture", "(no answer: none was kept)", "In the scaffold phase: wrote the handlers."} {
		if !strings.Contains(codegen, want) {
			t.Errorf("01-codegen.md lacks %q:\n%s", want, codegen)
		}
	}
}
