// Package phasetest builds the environment a phase runs in for package
// tests: a real artifact run, a real LLM session over HTTP to a loopback
// server speaking the OpenAI wire format (answering from the fixtures
// unless told otherwise), and the reference spec.
package phasetest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Root is the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Config loads the repository's orchestrate.yaml with the config sections
// given (a phase package's Settings: each phase's test names the sections
// it reads). The loader is strict and a phase's test knows only its own
// sections: the loader is partial (the file's other phases: keys and
// roles are not checked), so the reference file loads as it is.
func Config(t testing.TB, sections ...config.Section) *config.Config {
	t.Helper()
	return ConfigAt(t, filepath.Join(Root(), "orchestrate.yaml"), sections...)
}

// ConfigAt is Config with the config file at path (a spec of ci/specs/).
func ConfigAt(t testing.TB, file string, sections ...config.Section) *config.Config {
	t.Helper()
	l := &config.Loader{Sections: sections, Partial: true, Viper: viper.New(), Environ: func() []string { return nil }}
	cfg, err := l.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Harness is one phase's environment.
type Harness struct {
	Env     phase.Env
	Run     *artifact.Run
	Server  *fixtures.Server
	Log     *bytes.Buffer
	Workdir string

	mu       sync.Mutex
	tools    []phase.ToolUse
	cleanups []func(context.Context) error
}

// Cleanup runs the cleanups the phase registered, last first, as the
// runner does at the end of a run.
func (h *Harness) Cleanup(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	cs := h.cleanups
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		if err := cs[i](context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

// Bare returns a harness for a phase that asks no model.
func Bare(t testing.TB, name string) *Harness {
	t.Helper()
	run, err := artifact.Create(t.TempDir(), "run1", strings.Repeat("a", 32), redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	h := &Harness{Run: run, Log: &bytes.Buffer{}, Workdir: t.TempDir()}
	sub := run.Sub("01-"+name, name, "span")
	h.Env = phase.Env{Art: sub, Top: run.Sub(".", name, "span"), Log: h.Log, Now: time.Now, Tools: h, Cleanup: h.addCleanup}
	return h
}

func (h *Harness) addCleanup(_ string, fn func(context.Context) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, fn)
}

// Record implements phase.ToolRecorder.
func (h *Harness) Record(u phase.ToolUse) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tools = append(h.tools, u)
}

// Read reads a file of the run directory.
func (h *Harness) Read(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.Run.Dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// New returns a harness for phase name. The model is live (no cache):
// override answers prompts its own way and the fixtures answer the rest.
func New(t testing.TB, name string, cfg *config.Config, override func(prompt string, n int) (string, bool)) *Harness {
	t.Helper()
	srv := &fixtures.Server{Override: override}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	lc := cfg.LLM
	lc.Mode = llm.ModeLive
	lc.Providers = map[string]config.Provider{"hosted": {Kind: "openai", BaseURL: hs.URL + "/v1", APIKeyEnv: "TEST_KEY"}}
	roleMap := map[string]config.Role{}
	for k, r := range lc.Roles {
		r.Provider = "hosted"
		roleMap[k] = r
	}
	lc.Roles = roleMap
	lc.Retry = config.Retry{Attempts: 1}
	router := roles.New(lc, t.TempDir(), redact.New(), hs.Client(), func(k string) string {
		if k == "TEST_KEY" {
			return "test-key"
		}
		return ""
	}, time.Now)
	h := Bare(t, name)
	h.Server = srv
	h.Env.LLM = &llm.Session{Roles: router, Art: h.Env.Art, Phase: name, Meter: router.PhaseMeter(name)}
	return h
}
