package prompts

import (
	"strings"
	"testing"
)

func TestEveryTemplateParsesAndNamesItself(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 4 {
		t.Fatalf("only %d templates", len(all))
	}
	for _, tp := range all {
		if !strings.HasPrefix(tp.File, "prompts/") || tp.Role == "" {
			t.Errorf("%s: %+v", tp.Name, tp)
		}
	}
	tp, err := Load("testgen.repair")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tp.Render(map[string]any{"Path": "a_test.go", "Content": "package main\n", "BuildOutput": "x.go:1: undefined: y\n",
		"GoVersion": "1.24", "Names": []string{"main"}})
	if err != nil {
		t.Fatal(err)
	}
	name, version, ok := Marker(p.System)
	if !ok || name != "testgen.repair" || version != tp.Version || p.Name != name {
		t.Errorf("Marker = %q %q %v", name, version, ok)
	}
	if !strings.Contains(p.User, "undefined: y") || !strings.Contains(p.System, `"path": "a_test.go"`) {
		t.Errorf("render:\n%s\n%s", p.System, p.User)
	}
	if _, err := tp.Render(map[string]any{"Path": "a_test.go"}); err == nil {
		t.Error("a missing field rendered without error")
	}
	if _, err := Load("nope"); err == nil {
		t.Error("Load of an unknown name succeeded")
	}
}

func TestParseRejectsMalformedTemplates(t *testing.T) {
	for name, src := range map[string]string{
		"no front matter": "=== system ===\nx\n=== user ===\ny\n",
		"unknown key":     "---\nname: a\nversion: \"1\"\nrole: r\nwhy: w\nextra: 1\n---\n=== system ===\nx\n=== user ===\ny\n",
		"no user":         "---\nname: a\nversion: \"1\"\nrole: r\nwhy: w\n---\n=== system ===\nx\n",
		"missing why":     "---\nname: a\nversion: \"1\"\nrole: r\n---\n=== system ===\nx\n=== user ===\ny\n",
		"bad template":    "---\nname: a\nversion: \"1\"\nrole: r\nwhy: w\n---\n=== system ===\n{{.X\n=== user ===\ny\n",
	} {
		if _, err := Parse("t.md", []byte(src)); err == nil || !strings.Contains(err.Error(), "prompts/t.md") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// Each prompt says what its answer may and may not hold in one place, at
// the end of the system message. test.triage is another owner's and keeps
// its own wording.
func TestEachPromptStatesItsAnswerInOnePlace(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	const mark = "Your answer is one JSON object and nothing else:"
	for _, tp := range all {
		if tp.Name == "test.triage" {
			continue
		}
		src, err := files.ReadFile(strings.TrimPrefix(tp.File, "prompts/"))
		if err != nil {
			t.Fatal(err)
		}
		sys, _, _ := strings.Cut(string(src), userMark)
		if strings.Count(sys, mark) != 1 || strings.Contains(sys, "Answer with") {
			t.Errorf("%s: the system message should state the answer once, under %q", tp.Name, mark)
			continue
		}
		_, tail, _ := strings.Cut(sys, mark)
		if !strings.Contains(tail, "No Markdown, no code fences, no text before or after the JSON object.") {
			t.Errorf("%s: the answer section does not say what may not surround the JSON", tp.Name)
		}
	}
}
