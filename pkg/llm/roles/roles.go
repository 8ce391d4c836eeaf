// Package roles builds each role's client from the config: the decorator
// chain redaction → budget → cache → retry → provider. In replay mode no
// provider is built at all, so no network connection can be made.
package roles

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/ollama"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/openai"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Router resolves roles to clients for one run.
type Router struct {
	cfg     config.LLM
	store   llm.Store
	red     *redact.Redactor
	hc      *http.Client
	getenv  func(string) string
	now     func() time.Time
	prices  map[string]llm.Price
	run     *llm.Meter
	cached  map[string]llm.Client // role -> cache+retry+provider, shared by phases
	retryFn func() llm.RetryPolicy
}

// New returns the run's router. workdir anchors a relative cache_dir.
func New(cfg config.LLM, workdir string, red *redact.Redactor, hc *http.Client, getenv func(string) string, now func() time.Time) *Router {
	dir := cfg.CacheDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(workdir, dir)
	}
	prices := map[string]llm.Price{}
	for m, p := range cfg.Prices {
		prices[strings.ToLower(m)] = llm.Price{Prompt: p.PromptPerMTok, Completion: p.CompletionPerMTok}
	}
	b := cfg.Budget.Run
	return &Router{
		cfg: cfg, store: llm.Store{Dir: dir, Red: red}, red: red, hc: hc, getenv: getenv, now: now, prices: prices,
		run:    &llm.Meter{Key: "llm.budget.run", Limits: llm.Limits{Calls: b.Calls, Tokens: b.Tokens, CostUSD: b.CostUSD, Wall: b.Wall}},
		cached: map[string]llm.Client{},
	}
}

// Store is the replay cache.
func (r *Router) Store() llm.Store { return r.store }

// RunUsage is what the run spent.
func (r *Router) RunUsage() llm.Usage { return r.run.Used() }

// PhaseMeter returns a fresh meter with the per-phase limits.
func (r *Router) PhaseMeter(phase string) *llm.Meter {
	b := r.cfg.Budget.Phase
	return &llm.Meter{Key: "llm.budget.phase", Limits: llm.Limits{Calls: b.Calls, Tokens: b.Tokens, CostUSD: b.CostUSD, Wall: b.Wall}}
}

// Info describes a role as configured.
func (r *Router) Info(role string) (llm.RoleInfo, error) {
	rc, ok := r.cfg.Roles[role]
	if !ok {
		names := make([]string, 0, len(r.cfg.Roles))
		for n := range r.cfg.Roles {
			names = append(names, n)
		}
		sort.Strings(names)
		return llm.RoleInfo{}, failure.New(failure.LLMError, "role %q has no model: add llm.roles.%s to orchestrate.yaml (configured roles: %s)", role, role, strings.Join(names, ", "))
	}
	p := r.cfg.Providers[rc.Provider]
	return llm.RoleInfo{Kind: p.Kind, Provider: rc.Provider, Model: rc.Model, Temperature: rc.Temperature, Seed: rc.Seed, MaxTokens: rc.MaxTokens, MaxAnswerBytes: r.cfg.MaxAnswerBytes}, nil
}

// Resolve implements llm.Resolver.
func (r *Router) Resolve(role string, phase *llm.Meter) (llm.Client, llm.RoleInfo, error) {
	info, err := r.Info(role)
	if err != nil {
		return nil, info, err
	}
	inner, ok := r.cached[role]
	if !ok {
		var prov llm.Client
		if r.cfg.Mode != llm.ModeReplay {
			if prov, err = r.provider(info); err != nil {
				return nil, info, failure.Wrap(failure.LLMError, err, "role %s", role)
			}
			prov = llm.Retry(prov, r.retryPolicy())
		}
		inner = llm.Cache(prov, r.store, r.cfg.Mode, r.now)
		r.cached[role] = inner
	}
	meters := []*llm.Meter{r.run}
	if phase != nil {
		meters = append(meters, phase)
	}
	return llm.Redact(llm.Budget(inner, r.prices, meters...), r.red), info, nil
}

func (r *Router) retryPolicy() llm.RetryPolicy {
	if r.retryFn != nil {
		return r.retryFn()
	}
	return llm.RetryPolicy{Attempts: r.cfg.Retry.Attempts, BaseDelay: r.cfg.Retry.BaseDelay, MaxDelay: r.cfg.Retry.MaxDelay, Timeout: r.cfg.Timeout}
}

// SetRetry overrides the retry policy (tests make sleeping instant).
func (r *Router) SetRetry(f func() llm.RetryPolicy) { r.retryFn = f }

// Provider builds the provider a role uses (doctor uses it too).
func (r *Router) provider(info llm.RoleInfo) (llm.Client, error) {
	p := r.cfg.Providers[info.Provider]
	switch p.Kind {
	case "openai":
		return OpenAI(p, r.hc, r.getenv, r.now), nil
	case "ollama":
		return Ollama(p, r.hc, r.getenv, r.now)
	}
	return nil, fmt.Errorf("provider %s: unknown kind %q", info.Provider, p.Kind)
}

// OpenAI builds an OpenAI-compatible provider: base_url, else
// OPENAI_BASE_URL, else OpenAI's; the key from api_key_env (default
// OPENAI_API_KEY).
func OpenAI(p config.Provider, hc *http.Client, getenv func(string) string, now func() time.Time) *openai.Provider {
	base := p.BaseURL
	if base == "" {
		base = getenv("OPENAI_BASE_URL")
	}
	if base == "" {
		base = openai.DefaultBaseURL
	}
	keyEnv := p.APIKeyEnv
	if keyEnv == "" {
		keyEnv = "OPENAI_API_KEY"
	}
	prov := openai.New(base, getenv(keyEnv), hc, now)
	prov.Stream = p.Stream
	return prov
}

// Ollama builds an Ollama provider: base_url, else OLLAMA_HOST, else the
// local default.
func Ollama(p config.Provider, hc *http.Client, getenv func(string) string, now func() time.Time) (*ollama.Provider, error) {
	host := p.BaseURL
	if host == "" {
		host = getenv("OLLAMA_HOST")
	}
	return ollama.New(host, hc, now)
}
