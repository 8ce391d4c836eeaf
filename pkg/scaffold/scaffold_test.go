package scaffold

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

func answer(t *testing.T, files ...string) string {
	t.Helper()
	var a llm.FilesAnswer
	for i := 0; i+1 < len(files); i += 2 {
		a.Files = append(a.Files, llm.AnswerFile{Path: files[i], Content: files[i+1]})
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func handlers(t *testing.T) string {
	t.Helper()
	raw, ok := fixtures.Answer("scaffold.codegen")
	if !ok {
		t.Fatal("no fixture")
	}
	var a llm.FilesAnswer
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		t.Fatal(err)
	}
	return a.Files[0].Content
}

func run(t *testing.T, h *phasetest.Harness, force bool) (Output, error) {
	t.Helper()
	cfg := phasetest.Config(t, Settings)
	return Run(context.Background(), h.Env, Input{Spec: cfg.Service, Workdir: h.Workdir, Force: force})
}

const broken = "package main\n\nfunc registerRoutes() { undefinedThing() }\n"

func TestRefusesPathsOutsideTheServiceAndBuilds(t *testing.T) {
	h := phasetest.New(t, "scaffold", phasetest.Config(t, Settings), func(p string, n int) (string, bool) {
		return answer(t, "handlers.go", handlers(t), "../escape.go", "package main\n", "/etc/passwd.go", "x",
			"main.go", "package main\n", "handlers_test.go", "package main\n"), true
	})
	out, err := run(t, h, false)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	if !out.Build.OK || out.Build.Attempts != 1 {
		t.Errorf("build = %+v, want ok at the first attempt", out.Build)
	}
	want := map[string]string{"../escape.go": "leaves the directory", "/etc/passwd.go": "absolute",
		"main.go": "template", "handlers_test.go": "testgen"}
	if len(out.Refused) != len(want) {
		t.Fatalf("refused %+v, want %d", out.Refused, len(want))
	}
	for _, r := range out.Refused {
		if !strings.Contains(r.Reason, want[r.Path]) || r.Answer != "01-scaffold/llm/01-scaffold.codegen.response.txt" {
			t.Errorf("refusal %+v, want a reason about %q and the answer's file", r, want[r.Path])
		}
	}
	if _, err := os.Stat(filepath.Join(h.Workdir, "escape.go")); !os.IsNotExist(err) {
		t.Errorf("escape.go was written outside the service directory: %v", err)
	}
	main, _ := os.ReadFile(filepath.Join(h.Workdir, "service", "main.go"))
	if !strings.Contains(string(main), "func serve(") {
		t.Error("the model's main.go replaced the template's")
	}
	if !strings.Contains(h.Read(t, "events.jsonl"), `"refuse-file"`) {
		t.Error("no refuse-file decision in the audit log")
	}
	patch := h.Read(t, out.Patches[0])
	if !strings.Contains(patch, "+++ b/service/handlers.go") || !strings.Contains(patch, "new file mode") {
		t.Errorf("patch does not create service/handlers.go:\n%.400s", patch)
	}
}

func TestCompileFailureGoesBackOnceThenFails(t *testing.T) {
	h := phasetest.New(t, "scaffold", phasetest.Config(t, Settings), func(p string, n int) (string, bool) {
		return answer(t, "handlers.go", broken), true
	})
	out, err := run(t, h, false)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Class != failure.CompileError {
		t.Fatalf("err = %v, want a compile_error", err)
	}
	if !strings.Contains(fe.Message, "after one repair") || fe.Where != "01-scaffold/logs/build-2.txt" {
		t.Errorf("failure = %+v", fe)
	}
	if got := h.Server.Requests(); got != 2 {
		t.Errorf("%d model requests, want 2 (codegen, one repair)", got)
	}
	if out.Build.OK || out.Build.Attempts != 2 || len(out.Build.Logs) != 2 {
		t.Errorf("build = %+v", out.Build)
	}
	if log := h.Read(t, "01-scaffold/logs/build-1.txt"); !strings.Contains(log, "undefined") {
		t.Errorf("build log lacks the compiler error:\n%s", log)
	}
	repair := h.Read(t, "01-scaffold/llm/02-scaffold.repair.prompt.md")
	if !strings.Contains(repair, "undefined: undefinedThing") || strings.Contains(repair, h.Workdir) {
		t.Errorf("the repair prompt should carry the compiler output without the checkout's path:\n%s", repair)
	}
}

func TestRepairThatCompilesIsKept(t *testing.T) {
	h := phasetest.New(t, "scaffold", phasetest.Config(t, Settings), func(p string, n int) (string, bool) {
		if p == "scaffold.codegen" {
			return answer(t, "handlers.go", broken, "extra.go", "package main\n\nvar extra = 1\n"), true
		}
		return answer(t, "handlers.go", handlers(t)), true
	})
	out, err := run(t, h, false)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	if !out.Build.OK || out.Build.Attempts != 2 || len(out.Patches) != 2 {
		t.Errorf("build %+v, patches %v", out.Build, out.Patches)
	}
	if _, err := os.Stat(filepath.Join(h.Workdir, "service", "extra.go")); !os.IsNotExist(err) {
		t.Error("extra.go from the first answer survived the repair that dropped it")
	}
	if p := h.Read(t, out.Patches[1]); !strings.Contains(p, "deleted file mode 100644") {
		t.Errorf("the repair patch should delete extra.go:\n%.300s", p)
	}
}

func TestHandEditsAreKeptUnlessForced(t *testing.T) {
	h := phasetest.New(t, "scaffold", phasetest.Config(t, Settings), nil)
	if _, err := run(t, h, false); err != nil {
		t.Fatalf("first run: %v\n%s", err, h.Log)
	}
	path := filepath.Join(h.Workdir, "service", "handlers.go")
	edited := strings.Replace(handlers(t), "maxBody = 1 << 20", "maxBody = 1 << 16", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, h, false)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, h.Log)
	}
	if len(out.HandEdited) != 1 || out.HandEdited[0] != "service/handlers.go" {
		t.Fatalf("hand_edited = %v", out.HandEdited)
	}
	if b, _ := os.ReadFile(path); string(b) != edited {
		t.Error("the hand edit was overwritten")
	}
	if b, _ := os.ReadFile(path + workspace.Beside); string(b) != handlers(t) {
		t.Error("the new version is not beside the edited file")
	}
	if !strings.Contains(h.Log.String(), "changed by hand") {
		t.Errorf("the log does not say so:\n%s", h.Log)
	}

	out, err = run(t, h, true)
	if err != nil {
		t.Fatalf("forced run: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != handlers(t) || len(out.HandEdited) != 0 {
		t.Errorf("--force did not overwrite the hand edit (hand_edited %v)", out.HandEdited)
	}
	if _, err := os.Stat(path + workspace.Beside); !os.IsNotExist(err) {
		t.Error("the stale new version is still beside the file")
	}
}
