package testgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

func TestUnitPromptCarriesWhatTheTestsNeed(t *testing.T) {
	s := phasetest.Config(t, Settings).Service
	var sources []Source
	for _, name := range []string{"handlers.go", "main.go"} {
		b, err := os.ReadFile(filepath.Join(phasetest.Root(), "service", name))
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, Source{Path: name, Content: string(b)})
	}
	p, err := UnitPrompt(s, moduleGo(filepath.Join(phasetest.Root(), "service")), sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Environment (registerRoutes reads it; set it with t.Setenv):\n  NOTIFY_ROUTES: team routing rules as JSON",
		"Go 1.24,", "Never call t.Parallel", "exact text of an\n  error message", "the whole file is\ndropped",
		"Request bodies: A JSON request body", "Covered by the acceptance tests: succeeded-routes-to-slack (202)",
		"From a template, not shown: main.go", "func registerRoutes(",
	} {
		if !strings.Contains(p.System+p.User, want) {
			t.Errorf("the prompt lacks %q:\n%s\n%s", want, p.System, p.User)
		}
	}
	_, names, _ := strings.Cut(p.User, "do not declare them):\n")
	names, _, _ = strings.Cut(names, "\n")
	for _, n := range []string{"registerRoutes", "parseRoutes", "deployEvent", "serve", "statusRecorder"} {
		if !strings.Contains(", "+names+",", ", "+n+",") {
			t.Errorf("the package's names %q lack %s", names, n)
		}
	}
	_, eps, _ := strings.Cut(p.User, "Endpoints that registerRoutes serves:")
	eps, _, _ = strings.Cut(eps, "Not served by registerRoutes")
	if strings.Contains(p.User, "func serve(") || strings.Contains(eps, "/healthz") {
		t.Errorf("main.go's code or the health endpoint is in the prompt:\n%s", p.User)
	}
}
