package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/change"
)

const fixSrc = `package svc

import "fmt"

// greet prints a greeting.
func greet(name string) {
	fmt.Printf("%d\n", name)
	if name == "" {
		fmt.Println("nobody")
	}
}
`

func TestFixPromptNumbersTheExcerpt(t *testing.T) {
	f := Finding{Analyzer: "printf", Source: "vet", File: "svc/a.go", Line: 7, Column: 2,
		Message: "fmt.Printf format %d has arg name of wrong type string"}
	p, err := FixPrompt([]byte(fixSrc), []Finding{f}, "1.24")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" 3| import \"fmt\"\n", " 5| // greet prints a greeting.\n", " 7| \tfmt.Printf(\"%d\\n\", name)\n", "11| }\n",
		"(lines 5-11 of the file)", "module on Go 1.24", "line 7, column 2"} {
		if !strings.Contains(p.User, want) {
			t.Errorf("the user message lacks %q:\n%s", want, p.User)
		}
	}
	if strings.Contains(p.System, "svc/a.go") {
		t.Errorf("the system message names the real file:\n%s", p.System)
	}
}

func TestBuildFixStripsCopiedGuttersAndFormats(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "svc", "a.go"), []byte(fixSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(fixSrc, `"%d\n"`, `"%s\n"`, 1)
	for name, e := range map[string]change.Edit{
		"clean":            {Path: "svc/a.go", Old: "\tfmt.Printf(\"%d\\n\", name)", New: "\tfmt.Printf(\"%s\\n\", name)"},
		"gutter copied":    {Path: "svc/a.go", Old: " 7| \tfmt.Printf(\"%d\\n\", name)", New: " 7| \tfmt.Printf(\"%s\\n\", name)"},
		"gutter in old":    {Path: "svc/a.go", Old: " 6| func greet(name string) {\n 7| \tfmt.Printf(\"%d\\n\", name)", New: "func greet(name string) {\n\tfmt.Printf(\"%s\\n\", name)"},
		"spaces not tabs":  {Path: "svc/a.go", Old: "\tfmt.Printf(\"%d\\n\", name)", New: "    fmt.Printf( \"%s\\n\",name )"},
		"gutter, no space": {Path: "svc/a.go", Old: "7|\tfmt.Printf(\"%d\\n\", name)", New: "7|\tfmt.Printf(\"%s\\n\", name)"},
	} {
		set, err := buildFix(dir, []change.Edit{e})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := string(set.Files[0].After); got != want {
			t.Errorf("%s: the file after the edit:\n%s\nwant:\n%s", name, got, want)
		}
	}
	// Text that looks like a gutter but is in the file as written stays.
	if err := os.WriteFile(filepath.Join(dir, "svc", "b.go"), []byte("package svc\n\nvar mask = 0 |\n1| 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	real := change.Edit{Path: "svc/b.go", Old: "1| 2", New: "1 | 2"}
	if got := stripGutters(dir, []change.Edit{real}); got[0] != real {
		t.Errorf("stripGutters changed an edit whose old text is in the file: %+v", got[0])
	}
}
