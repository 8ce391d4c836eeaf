package scaffold

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// A hand edit that breaks the build, replayed offline: the codegen answer
// is recorded, the repair of the edited code is not. The phase fails on
// the compile error, not with the cache's miss.
func TestOfflineHandEditThatDoesNotCompileFailsOnTheCompiler(t *testing.T) {
	cfg := phasetest.Config(t)
	cache := t.TempDir()
	srv := httptest.NewServer(&fixtures.Server{})
	t.Cleanup(srv.Close)
	session := func(h *phasetest.Harness, mode string) {
		lc := cfg.LLM
		lc.Mode, lc.CacheDir = mode, cache
		lc.Providers = map[string]config.Provider{"hosted": {Kind: "openai", BaseURL: srv.URL + "/v1", APIKeyEnv: "TEST_KEY"}}
		rm := map[string]config.Role{}
		for k, r := range lc.Roles {
			r.Provider = "hosted"
			rm[k] = r
		}
		lc.Roles, lc.Retry = rm, config.Retry{Attempts: 1}
		router := roles.New(lc, h.Workdir, redact.New(), srv.Client(), func(string) string { return "k" }, time.Now)
		h.Env.LLM = &llm.Session{Roles: router, Art: h.Env.Art, Phase: "scaffold", Meter: router.PhaseMeter("scaffold")}
	}
	rec := phasetest.Bare(t, "scaffold")
	session(rec, llm.ModeRecord)
	if _, err := run(t, rec, false); err != nil {
		t.Fatalf("recording run: %v\n%s", err, rec.Log)
	}

	h := phasetest.Bare(t, "scaffold")
	h.Workdir = rec.Workdir // the checkout as the recording run left it
	session(h, llm.ModeReplay)
	p := filepath.Join(h.Workdir, "service", "handlers.go")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, []byte("\nfunc edited() { undefinedThing() }\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, h, false)
	var fe *failure.Error
	if !errors.As(err, &fe) || fe.Class != failure.CompileError || !strings.Contains(fe.Message, "undefined: undefinedThing") || !strings.Contains(fe.Message, "no repair is recorded") {
		t.Fatalf("err = %v, want the compile error", err)
	}
}
