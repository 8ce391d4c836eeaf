package roles

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// leaks lists the files under dirs holding any of needles.
func leaks(t *testing.T, needles []string, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, n := range needles {
				if strings.Contains(string(b), n) {
					out = append(out, p+" holds "+n)
				}
			}
			return nil
		})
	}
	return out
}

// A secret with a quote, a backslash and a tab appears escaped in JSON:
// the prompt quoting it as JSON, the answer echoing it, the cache entry,
// the exchange's files and the parsed answer must hold it in no form.
func TestSecretWithJSONSpecialCharactersNeverLeaks(t *testing.T) {
	const secret = "pa\"ss\\wo\trd-0123456789"
	esc, _ := json.Marshal(secret)
	escaped := string(esc[1 : len(esc)-1])
	twice, _ := json.Marshal(escaped)
	needles := []string{secret, escaped, string(twice[1 : len(twice)-1])}

	// The model echoes the secret inside a generated file.
	echo, _ := json.Marshal(map[string]any{"summary": "ok", "files": []any{map[string]any{"path": "a.go", "content": "package a\n\nconst key = `" + secret + "`\n"}}})
	srv := newServer(t, reply{status: 200, content: string(echo)})
	e := setupWith(t, redact.New(secret), srv.URL)
	cfgJSON, _ := json.Marshal(map[string]string{"API_SECRET": secret})
	a, err := ask(e, "codegen", "the service's env as JSON: "+string(cfgJSON)+"\nand as text: "+secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Files[0].Content, secret) {
		t.Errorf("the answer handed to the phase holds the secret: %q", a.Files[0].Content)
	}
	for _, body := range srv.requests() {
		for _, n := range needles {
			if strings.Contains(body, n) {
				t.Errorf("the request sent holds %q: %s", n, body)
			}
		}
	}
	if _, err := e.run.WriteJSON("", "", "run.json", map[string]any{"config": map[string]string{"value": secret}}); err != nil {
		t.Fatal(err)
	}
	if l := leaks(t, needles, e.run.Dir, e.cfg.CacheDir); len(l) > 0 {
		t.Errorf("secret on disk:\n%s", strings.Join(l, "\n"))
	}
}

// In record mode an answer that echoes a secret is stored redacted.
func TestRecordedAnswerIsRedacted(t *testing.T) {
	const secret = "not-a-real-key-but-secret-123"
	echo, _ := json.Marshal(map[string]any{"summary": "the key is " + secret, "files": []any{}})
	srv := newServer(t, reply{status: 200, content: string(echo)})
	e := setup(t, llm.ModeRecord, srv.URL, nil)
	if _, err := ask(e, "codegen", "write a"); err != nil {
		t.Fatal(err)
	}
	if l := leaks(t, []string{secret}, e.cfg.CacheDir, e.run.Dir); len(l) > 0 {
		t.Errorf("secret on disk:\n%s", strings.Join(l, "\n"))
	}
	entries, _ := filepath.Glob(filepath.Join(e.cfg.CacheDir, "*", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v, want one", entries)
	}
}

func setupWith(t *testing.T, red *redact.Redactor, srvURL string) *env {
	t.Helper()
	cfg := config.Default().LLM
	cfg.CacheDir = filepath.Join(t.TempDir(), "cache")
	cfg.Providers = map[string]config.Provider{"hosted": {Kind: "openai", BaseURL: srvURL + "/v1"}}
	cfg.Roles = map[string]config.Role{"codegen": {Provider: "hosted", Model: "gpt-4o-mini"}}
	e := &env{cfg: cfg}
	e.router = New(cfg, t.TempDir(), red, &http.Client{}, func(string) string { return "" }, time.Now)
	var err error
	if e.run, err = artifact.Create(t.TempDir(), "r", strings.Repeat("a", 32), red, time.Now); err != nil {
		t.Fatal(err)
	}
	e.session = &llm.Session{Roles: e.router, Art: e.run.Sub("01-scaffold", "scaffold", "s"), Phase: "scaffold", Meter: e.router.PhaseMeter("scaffold")}
	return e
}

// A price keyed by a model name with dots, read through the config
// loader, is charged.
func TestPriceOfDottedModelNameIsCharged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "orchestrate.yaml")
	body := "version: 1\nservice:\n  name: n\n  module: example.com/n\n  description: d\n  endpoints:\n    - method: GET\n      path: /healthz\n      description: h\n      examples: [{name: ok, status: 200, response: {status: ok}}]\n" +
		"llm:\n  prices:\n    gpt-4.1: {prompt_per_mtok: 2, completion_per_mtok: 8}\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := (&config.Loader{Viper: newViper(), Environ: os.Environ}).Load(p)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, func(l *config.LLM) {
		l.Prices = c.LLM.Prices
		l.Roles["codegen"] = config.Role{Provider: "hosted", Model: "gpt-4.1"}
	})
	rep, err := llm.AskFor[answer](t.Context(), e.session, llm.Ask{Role: "codegen", Schema: schema, SchemaName: "files",
		Prompt: llm.Prompt{Name: "scaffold.handlers", Version: "1", System: "s", User: "u"}})
	if err != nil {
		t.Fatal(err)
	}
	// 100 prompt and 20 completion tokens at $2 and $8 per million.
	if want := (100*2.0 + 20*8.0) / 1e6; rep.Exchange.CostUSD < want*0.999 || rep.Exchange.CostUSD > want*1.001 {
		t.Errorf("cost %v, want %v", rep.Exchange.CostUSD, want)
	}
}

func newViper() *viper.Viper { return viper.New() }
