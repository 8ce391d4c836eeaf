package testgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// offlineService lays down the reference service as scaffold and testgen
// left it (manifest included), applies edit to handlers.go, and returns
// the harness with a replay-only session over an empty cache: every
// question misses.
func offlineService(t *testing.T, edit func(string) string) (*phasetest.Harness, Input, string) {
	t.Helper()
	cfg := phasetest.Config(t)
	h := phasetest.Bare(t, "testgen")
	src := service(t, h.Workdir)
	var gen []workspace.File
	for _, s := range src {
		gen = append(gen, workspace.File{Path: s.Path, Content: []byte(s.Content)})
	}
	scaffold := workspace.Dir{Workdir: h.Workdir, Rel: "service", Phase: "scaffold"}
	if _, err := scaffold.Write(gen); err != nil {
		t.Fatal(err)
	}
	unit, err := os.ReadFile(filepath.Join(phasetest.Root(), "service", "handlers_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (workspace.Dir{Workdir: h.Workdir, Rel: "service", Phase: "testgen"}).Write([]workspace.File{{Path: "handlers_test.go", Content: unit}}); err != nil {
		t.Fatal(err)
	}
	for i, s := range src {
		if s.Path == "handlers.go" {
			src[i].Content = edit(s.Content)
			if err := os.WriteFile(filepath.Join(h.Workdir, "service", s.Path), []byte(src[i].Content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sum := sha256.Sum256([]byte(src[i].Content))
		src[i].SHA256 = hex.EncodeToString(sum[:])
	}
	lc := cfg.LLM
	lc.Mode, lc.CacheDir = llm.ModeReplay, t.TempDir()
	router := roles.New(lc, h.Workdir, redact.New(), http.DefaultClient, func(string) string { return "" }, time.Now)
	h.Env.LLM = &llm.Session{Roles: router, Art: h.Env.Art, Phase: "testgen", Meter: router.PhaseMeter("testgen")}
	return h, Input{Spec: cfg.Service, Workdir: h.Workdir, Unit: true, Sources: src}, string(unit)
}

func TestOfflineAfterAHandEditKeepsTheCommittedUnitTestsWithANote(t *testing.T) {
	h, in, unit := offlineService(t, func(s string) string {
		return strings.Replace(s, "// maxBody bounds", "// maxBody, edited by hand, bounds", 1)
	})
	out, err := Run(context.Background(), h.Env, in)
	if err != nil {
		t.Fatalf("a replay miss after a hand edit failed the phase: %v\n%s", err, h.Log)
	}
	nr := out.Unit.NotRegenerated
	if nr == nil || strings.Join(nr.Edited, ",") != "service/handlers.go" || strings.Join(nr.Kept, ",") != "service/handlers_test.go" {
		t.Fatalf("not_regenerated = %+v", nr)
	}
	notes := out.Notes()
	if len(notes) != 1 || !strings.HasPrefix(notes[0].Message, NotRegeneratedNote) || notes[0].Where == "" {
		t.Fatalf("notes = %+v", notes)
	}
	if b, _ := os.ReadFile(filepath.Join(h.Workdir, "service", "handlers_test.go")); string(b) != unit {
		t.Errorf("the committed unit tests changed")
	}
	if !out.Acceptance.Compiled {
		t.Errorf("the acceptance tests were not rendered and checked")
	}
}

func TestOfflineMissWithoutAHandEditIsStillAFailure(t *testing.T) {
	h, in, _ := offlineService(t, func(s string) string { return s })
	_, err := Run(context.Background(), h.Env, in)
	if failure.ClassOf(err) != failure.LLMError || !strings.Contains(err.Error(), "no recorded answer") {
		t.Fatalf("a stale cache with no hand edit must fail with llm_error, got %v", err)
	}
}
