package templates

import (
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

func TestFirstSentence(t *testing.T) {
	long := strings.Repeat("word ", 80)
	for in, want := range map[string]string{
		"A small stateless HTTP service that screens a pull request's diff before a\nhuman reviews it. It never calls out.": "A small stateless HTTP service that screens a pull request's diff before a human reviews it.",
		"Routes events, e.g. deploys. More.":      "Routes events, e.g. deploys.",
		"No full stop\n\nSecond paragraph.":       "No full stop",
		"Version 1.5 is served at https://x.y/z.": "Version 1.5 is served at https://x.y/z.",
		"Is it up? Yes.":                          "Is it up?",
		long:                                      strings.TrimSpace(strings.Repeat("word ", 48)) + "...",
	} {
		if got := FirstSentence(in); got != want {
			t.Errorf("FirstSentence(%.30q) = %q, want %q", in, got, want)
		}
	}
}

func TestMainGoDocCommentIsTheWholeFirstSentence(t *testing.T) {
	d, err := DataFor(spec.Service{Name: "review-gate", Module: "example.com/rg", Port: 8080,
		Description: "A small stateless HTTP service that screens a pull request's diff before a\nhuman reviews it, and says why. Rules come from the environment."})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render("service", d)
	if err != nil {
		t.Fatal(err)
	}
	var main string
	for _, f := range files {
		if f.Path == "main.go" {
			main = string(f.Content)
		}
	}
	want := "// Command review-gate: A small stateless HTTP service that screens a pull\n// request's diff before a human reviews it, and says why.\npackage main\n"
	if !strings.Contains(main, want) {
		t.Errorf("main.go's doc comment:\n%s\nwant:\n%s", main[:400], want)
	}
	for _, l := range strings.Split(main, "\n") {
		if strings.HasPrefix(l, "//") && len(l) > 79 {
			t.Errorf("comment line of %d columns: %s", len(l), l)
		}
	}
}
