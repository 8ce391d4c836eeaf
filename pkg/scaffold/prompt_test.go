package scaffold

import (
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

func TestCodegenPromptStatesWhatMainGoHasWithoutShowingIt(t *testing.T) {
	s := phasetest.Config(t, Settings).Service
	p, err := CodegenPrompt(s)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := render(s)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := factsOf(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	// The names come from the template's declarations, whatever they are.
	for _, name := range []string{"main", "serve", "probe", "logRequests", "statusRecorder", "defaultPort"} {
		if !strings.Contains(strings.Join(facts.Names, ","), name) {
			t.Errorf("the template's names %v lack %s", facts.Names, name)
		}
	}
	if strings.Join(facts.Served, ",") != "GET /healthz" {
		t.Errorf("served = %v, want GET /healthz", facts.Served)
	}
	if !strings.Contains(p.System, strings.Join(facts.Names, ", ")) || !strings.Contains(p.System, Signature) {
		t.Errorf("the system message does not list the names and the signature:\n%s", p.System)
	}
	var mainGo string
	for _, f := range tmpl {
		if f.Path == "main.go" {
			mainGo = string(f.Content)
		}
	}
	if !strings.Contains(mainGo, "registerRoutes(mux, logger)") {
		t.Error("main.go no longer calls registerRoutes(mux, logger): Signature is stale")
	}
	if strings.Contains(p.User, "func serve(") || strings.Contains(p.User, "package main") {
		t.Errorf("main.go is still sent:\n%s", p.User)
	}
	// GET /healthz is in the spec with an example, but not among the
	// endpoints to write: no rule contradicts the data shown.
	_, toWrite, _ := strings.Cut(p.User, "Endpoints to write")
	toWrite, served, _ := strings.Cut(toWrite, "already served by main.go")
	if strings.Contains(toWrite, "/healthz") || strings.Contains(toWrite, "healthy") || !strings.Contains(served, "GET /healthz") {
		t.Errorf("GET /healthz is among the endpoints to write:\n%s", p.User)
	}
	for _, bad := range []string{"query: {}", "body: null", "null"} {
		if strings.Contains(p.User, bad) {
			t.Errorf("the user message holds %q", bad)
		}
	}
	if !strings.Contains(p.User, "Request bodies: A JSON request body with a field the endpoint does not define is invalid,") {
		t.Errorf("the unknown-field rule is not stated:\n%s", p.User)
	}
	if !strings.Contains(p.System, "Go 1.24,") {
		t.Errorf("the Go version is not stated:\n%s", p.System)
	}
}
