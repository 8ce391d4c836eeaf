// Package phasetest builds the environment a phase runs in for package
// tests: a real artifact run, a real LLM session over HTTP to a loopback
// server speaking the OpenAI wire format (answering from the fixtures
// unless told otherwise), and the reference spec.
package phasetest

import (
	"bytes"
	"context"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

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
// sections: the file's other phases: keys are left out, and its roles are
// known, so the reference file loads otherwise as it is.
func Config(t testing.TB, sections ...config.Section) *config.Config {
	t.Helper()
	return ConfigAt(t, filepath.Join(Root(), "orchestrate.yaml"), sections...)
}

// ConfigAt is Config with the config file at path (a spec of ci/specs/).
func ConfigAt(t testing.TB, file string, sections ...config.Section) *config.Config {
	t.Helper()
	path, roles := only(t, file, sections)
	secs := append(append([]config.Section(nil), sections...), config.Section{Name: "phasetest.roles", Default: struct{}{}, Roles: roles})
	l := &config.Loader{Sections: secs, Viper: viper.New(), Environ: func() []string { return nil }}
	cfg, err := l.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// only writes the config file at path to a temporary file with the
// phases: keys no section reads left out, and returns its path and the
// file's roles.
func only(t testing.TB, path string, sections []config.Section) (string, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	known := map[string]bool{}
	for _, s := range sections {
		known[s.Key] = true
	}
	var roles []string
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k, v := root.Content[i].Value, root.Content[i+1]; k {
		case "phases":
			var kept []*yaml.Node
			for j := 0; j+1 < len(v.Content); j += 2 {
				if known[v.Content[j].Value] {
					kept = append(kept, v.Content[j], v.Content[j+1])
				}
			}
			v.Content = kept
		case "llm":
			var l struct {
				Roles map[string]any `yaml:"roles"`
			}
			_ = v.Decode(&l)
			roles = slices.Sorted(maps.Keys(l.Roles))
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, roles
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
