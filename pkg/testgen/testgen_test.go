package testgen

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

const failing = `package main

import "testing"

func TestPassesToo(t *testing.T) {
	if eventID(deployEvent{}) == "" {
		t.Fatal("empty id")
	}
}

// TestWrongExpectation asserts something the spec does not say.
func TestWrongExpectation(t *testing.T) {
	if got := message(deployEvent{Service: "s", Version: "v", Environment: "e", TriggeredBy: "u", Commit: "abcdef12", Status: "succeeded"}); got != "nope" {
		t.Fatalf("message = %q, want %q", got, "nope")
	}
}
`

const panics = `package main

import "testing"

func TestPanics(t *testing.T) {
	var m map[string]int
	m["x"] = 1
}
`

const broken = `package main

import "testing"

func TestDoesNotCompile(t *testing.T) {
	notDefined(t)
}
`

// service copies the reference service's code (not its tests) into dir.
func service(t *testing.T, workdir string) []Source {
	t.Helper()
	dir := filepath.Join(workdir, "service")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []Source
	for _, name := range []string{"go.mod", "main.go", "handlers.go"} {
		b, err := os.ReadFile(filepath.Join(phasetest.Root(), "service", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".go") {
			out = append(out, Source{Path: name, Content: string(b)})
		}
	}
	return out
}

func TestValidationKeepsOnlyWhatCompilesAndPasses(t *testing.T) {
	cfg := phasetest.Config(t, Settings)
	good, _ := fixtures.Answer("testgen.unit")
	var a llm.FilesAnswer
	if err := json.Unmarshal([]byte(good), &a); err != nil {
		t.Fatal(err)
	}
	a.Files = append(a.Files, llm.AnswerFile{Path: "extra_test.go", Content: failing},
		llm.AnswerFile{Path: "panic_test.go", Content: panics},
		llm.AnswerFile{Path: "broken_test.go", Content: broken},
		llm.AnswerFile{Path: "../outside_test.go", Content: failing})
	h := phasetest.New(t, "testgen", cfg, func(p string, n int) (string, bool) {
		if p == "testgen.repair" { // the repair does not fix it
			b, _ := json.Marshal(llm.FilesAnswer{Files: []llm.AnswerFile{{Path: "broken_test.go", Content: broken}}})
			return string(b), true
		}
		b, _ := json.Marshal(a)
		return string(b), true
	})
	in := Input{Spec: cfg.Service, Workdir: h.Workdir, Unit: true, Sources: service(t, h.Workdir)}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	c := out.Unit.Counts
	want := Counts{Generated: 14, Compiled: 13, Passed: 11, Kept: 11, Dropped: 3}
	if c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	reasons := map[string]string{}
	for _, d := range out.Unit.Dropped {
		reasons[d.Test] = d.Reason
		if d.Output == "" || h.Read(t, d.Output) == "" {
			t.Errorf("dropped %s has no output kept", d.Test)
		}
	}
	if reasons["TestWrongExpectation"] != "failed" || reasons["TestPanics"] != "failed" || reasons["*"] != "compile_error" {
		t.Errorf("dropped = %+v", out.Unit.Dropped)
	}
	if out := h.Read(t, "01-testgen/logs/failed-TestWrongExpectation.txt"); !strings.Contains(out, `want "nope"`) {
		t.Errorf("the failing test's output is not kept:\n%s", out)
	}
	if len(out.Unit.Refused) != 1 || out.Unit.Refused[0].Path != "../outside_test.go" {
		t.Errorf("refused = %+v", out.Unit.Refused)
	}
	if h.Server.Requests() != 2 {
		t.Errorf("%d requests, want 2 (the tests, one repair)", h.Server.Requests())
	}
	svc := filepath.Join(h.Workdir, "service")
	extra, err := os.ReadFile(filepath.Join(svc, "extra_test.go"))
	if err != nil || strings.Contains(string(extra), "TestWrongExpectation") || !strings.Contains(string(extra), "TestPassesToo") {
		t.Errorf("extra_test.go should keep only the passing test (%v):\n%s", err, extra)
	}
	for _, gone := range []string{"panic_test.go", "broken_test.go"} {
		if _, err := os.Stat(filepath.Join(svc, gone)); !os.IsNotExist(err) {
			t.Errorf("%s reached the service: %v", gone, err)
		}
	}
	if out.Unit.CoverageBefore == nil || *out.Unit.CoverageBefore != 0 || out.Unit.CoverageAfter == nil || *out.Unit.CoverageAfter <= 0 {
		t.Errorf("coverage before %v after %v", out.Unit.CoverageBefore, out.Unit.CoverageAfter)
	}
	if !out.Acceptance.Compiled || out.Acceptance.Examples != 8 {
		t.Errorf("acceptance = %+v", out.Acceptance)
	}
}

func TestUnitOffWritesOnlyTheAcceptanceTests(t *testing.T) {
	cfg := phasetest.Config(t, Settings)
	h := phasetest.New(t, "testgen", cfg, nil)
	in := Input{Spec: cfg.Service, Workdir: h.Workdir, Unit: false, Sources: service(t, h.Workdir)}
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatal(err)
	}
	if h.Server.Requests() != 0 || out.Unit.Enabled {
		t.Errorf("asked the model %d times with unit tests off", h.Server.Requests())
	}
	b, err := os.ReadFile(filepath.Join(h.Workdir, "tests", "e2e", "acceptance_test.go"))
	if err != nil || !strings.Contains(string(b), "`failed-without-rollback-status-is-400`") {
		t.Errorf("acceptance tests: %v", err)
	}
}
