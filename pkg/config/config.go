// Package config is orchestrate.yaml: one Config struct and its loader.
package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/notify"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// FileName is the default config file.
const FileName = "orchestrate.yaml"

// Config is the whole configuration of a run.
type Config struct {
	Version int          `yaml:"version" json:"version"`
	Service spec.Service `yaml:"service" json:"service"`
	LLM     LLM          `yaml:"llm" json:"llm"`
	Phases  Phases       `yaml:"phases" json:"phases"`
	Policy  Policy       `yaml:"policy" json:"policy"`
	Docker  Docker       `yaml:"docker" json:"docker"`
	Secrets Secrets      `yaml:"secrets" json:"secrets"`
	Run     Run          `yaml:"run" json:"run"`
	Notify  Notify       `yaml:"notify" json:"notify"`
}

// Run holds settings of the run as a whole.
type Run struct {
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

// LLM maps roles to providers and models, and sets the limits of their use.
type LLM struct {
	// Mode: record (serve cache hits, record misses), live (no cache) or
	// replay (cache only; what --offline sets).
	Mode      string              `yaml:"mode" json:"mode"`
	CacheDir  string              `yaml:"cache_dir" json:"cache_dir"` // relative to the workdir
	Timeout   time.Duration       `yaml:"timeout" json:"timeout"`     // per request
	Providers map[string]Provider `yaml:"providers" json:"providers"`
	Roles     map[string]Role     `yaml:"roles" json:"roles"`
	Budget    Budgets             `yaml:"budget" json:"budget"`
	Prices    map[string]Price    `yaml:"prices" json:"prices"` // by model name
	Retry     Retry               `yaml:"retry" json:"retry"`
	// MaxAnswerBytes caps one answer: a longer one is refused unread, like
	// an answer that does not parse, and a re-ask quotes only its start.
	MaxAnswerBytes int `yaml:"max_answer_bytes" json:"max_answer_bytes"`
}

// Provider is one model server.
type Provider struct {
	Kind      string `yaml:"kind" json:"kind"`               // openai | ollama
	BaseURL   string `yaml:"base_url" json:"base_url"`       // default: OPENAI_BASE_URL / OLLAMA_HOST
	APIKeyEnv string `yaml:"api_key_env" json:"api_key_env"` // openai: the variable holding the key
	Stream    bool   `yaml:"stream" json:"stream,omitempty"` // openai: receive answers as server-sent events
}

// Role is what one role asks of which model.
type Role struct {
	Provider    string   `yaml:"provider" json:"provider"`
	Model       string   `yaml:"model" json:"model"`
	Temperature *float64 `yaml:"temperature" json:"temperature,omitempty"`
	MaxTokens   int      `yaml:"max_tokens" json:"max_tokens,omitempty"`
	Seed        *int     `yaml:"seed" json:"seed,omitempty"`
}

// Budgets are checked before every model call.
type Budgets struct {
	Run   Budget `yaml:"run" json:"run"`
	Phase Budget `yaml:"phase" json:"phase"`
}

// Budget limits; zero means no limit on that measure.
type Budget struct {
	Calls   int           `yaml:"calls" json:"calls"`
	Tokens  int           `yaml:"tokens" json:"tokens"`
	CostUSD float64       `yaml:"cost_usd" json:"cost_usd"`
	Wall    time.Duration `yaml:"wall" json:"wall"`
}

// Price of a model in USD per million tokens.
type Price struct {
	PromptPerMTok     float64 `yaml:"prompt_per_mtok" json:"prompt_per_mtok"`
	CompletionPerMTok float64 `yaml:"completion_per_mtok" json:"completion_per_mtok"`
}

// Retry bounds retries of transient provider errors.
type Retry struct {
	Attempts  int           `yaml:"attempts" json:"attempts"`
	BaseDelay time.Duration `yaml:"base_delay" json:"base_delay"`
	MaxDelay  time.Duration `yaml:"max_delay" json:"max_delay"`
}

// Notify says who hears how a run ended. A channel's URL and key are read
// from the environment variables it names, never from the file.
type Notify struct {
	Channels []notify.Channel `yaml:"channels" json:"channels"`
	Attempts int              `yaml:"attempts" json:"attempts"`
	Timeout  time.Duration    `yaml:"timeout" json:"timeout"` // per attempt
}

// Env are the environment variables the channels read: secrets.
func (n Notify) Env() []string {
	var out []string
	for _, c := range n.Channels {
		out = append(out, c.Env()...)
	}
	return out
}

// Policy bounds every automatic change to code.
type Policy struct {
	MaxLinesPerPatch int     `yaml:"max_lines_per_patch" json:"max_lines_per_patch"`
	MaxLinesPerRun   int     `yaml:"max_lines_per_run" json:"max_lines_per_run"`
	MinConfidence    float64 `yaml:"min_confidence" json:"min_confidence"`
}

// Docker settings.
type Docker struct {
	Host string `yaml:"host" json:"host"` // default: DOCKER_HOST
	Keep bool   `yaml:"keep" json:"keep"` // leave containers running at the end
}

// Secrets names environment variables whose values must never be sent or
// stored (variables named *_KEY, *TOKEN*, *SECRET*, *PASSWORD* always are).
type Secrets struct {
	Env []string `yaml:"env" json:"env"`
}

// Roles the phases use.
const (
	RoleCodegen = "codegen"
	RoleTestgen = "testgen"
	RoleFixer   = "fixer"
	RoleTriage  = "triage"
)

// Default is the configuration before the file, environment and flags,
// except the phases' sections: each phase package sets its own (its
// Section, like a goreleaser pipe's Default). A Loader starts from Base.
func Default() Config {
	return Config{
		Version: 1,
		Service: spec.Service{Dir: "service", TestsDir: "tests", Port: 8080},
		LLM: LLM{
			Mode:           "record",
			CacheDir:       "artifacts/llm-cache",
			MaxAnswerBytes: 1 << 20,
			Timeout:        2 * time.Minute,
			Retry:          Retry{Attempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second},
			Budget: Budgets{
				Run:   Budget{Calls: 60, Tokens: 600_000, CostUSD: 5, Wall: 30 * time.Minute},
				Phase: Budget{Calls: 25, Tokens: 250_000, CostUSD: 2, Wall: 15 * time.Minute},
			},
		},
		Policy: Policy{MaxLinesPerPatch: 80, MaxLinesPerRun: 300, MinConfidence: 0.6},
		Run:    Run{Timeout: 30 * time.Minute},
		Notify: Notify{Attempts: 3, Timeout: 10 * time.Second},
	}
}

// Validate checks what the YAML decoder cannot: required fields and
// references between sections. The phases' sections are checked by their
// packages (Section.Check).
func (c *Config) Validate() error {
	if c.Version != 1 {
		return &KeyError{Key: "version", Msg: fmt.Sprintf("%d is not supported; this orchestrate reads version 1", c.Version)}
	}
	if err := c.Service.Validate(); err != nil {
		if fe, ok := err.(*spec.FieldError); ok {
			return &KeyError{Key: fe.Field, Msg: fe.Msg}
		}
		return err
	}
	switch c.LLM.Mode {
	case "record", "live", "replay":
	default:
		return &KeyError{Key: "llm.mode", Msg: fmt.Sprintf("%q must be record, live or replay", c.LLM.Mode)}
	}
	if c.LLM.CacheDir == "" {
		return &KeyError{Key: "llm.cache_dir", Msg: "required"}
	}
	for _, name := range sortedKeys(c.LLM.Providers) {
		p := c.LLM.Providers[name]
		if p.Kind != "openai" && p.Kind != "ollama" {
			return &KeyError{Key: "llm.providers." + name + ".kind", Msg: fmt.Sprintf("%q must be openai or ollama", p.Kind)}
		}
	}
	for _, name := range sortedKeys(c.LLM.Roles) {
		r := c.LLM.Roles[name]
		if _, ok := c.LLM.Providers[r.Provider]; !ok {
			return &KeyError{Key: "llm.roles." + name + ".provider", Msg: fmt.Sprintf("%q is not a provider under llm.providers (have: %s)", r.Provider, strings.Join(sortedKeys(c.LLM.Providers), ", "))}
		}
		if r.Model == "" {
			return &KeyError{Key: "llm.roles." + name + ".model", Msg: "required"}
		}
	}
	if err := c.checkLimits(); err != nil {
		return err
	}
	if c.Policy.MinConfidence < 0 || c.Policy.MinConfidence > 1 {
		return &KeyError{Key: "policy.min_confidence", Msg: "must be between 0 and 1"}
	}
	for i, ch := range c.Notify.Channels {
		if err := ch.Check(); err != nil {
			return &KeyError{Key: fmt.Sprintf("notify.channels[%d]", i), Msg: err.Error()}
		}
	}
	if c.Notify.Attempts < 1 || c.Notify.Timeout <= 0 {
		return &KeyError{Key: "notify", Msg: "attempts must be at least 1 and timeout positive"}
	}
	return nil
}

// KnownRoles are the role names llm.roles may configure: those the
// phases ask (Section.Roles).
func (c *Config) KnownRoles() []string {
	roles := c.Phases.roles()
	slices.Sort(roles)
	return slices.Compact(roles)
}

// checkLimits refuses negative durations, counts and budgets (a negative
// timeout would switch the limit off) and role names no phase asks for (a
// misspelt role leaves the real one unset).
func (c *Config) checkLimits() error {
	durations := []struct {
		key string
		v   time.Duration
	}{
		{"run.timeout", c.Run.Timeout}, {"llm.timeout", c.LLM.Timeout},
		{"llm.retry.base_delay", c.LLM.Retry.BaseDelay}, {"llm.retry.max_delay", c.LLM.Retry.MaxDelay},
		{"llm.budget.run.wall", c.LLM.Budget.Run.Wall}, {"llm.budget.phase.wall", c.LLM.Budget.Phase.Wall},
	}
	for _, d := range durations {
		if d.v < 0 {
			return &KeyError{Key: d.key, Msg: fmt.Sprintf("%s is negative; use a positive duration (0 where the key allows it means no limit)", d.v)}
		}
	}
	numbers := []struct {
		key string
		v   float64
	}{
		{"llm.retry.attempts", float64(c.LLM.Retry.Attempts)}, {"llm.max_answer_bytes", float64(c.LLM.MaxAnswerBytes)},
		{"llm.budget.run.calls", float64(c.LLM.Budget.Run.Calls)}, {"llm.budget.run.tokens", float64(c.LLM.Budget.Run.Tokens)}, {"llm.budget.run.cost_usd", c.LLM.Budget.Run.CostUSD},
		{"llm.budget.phase.calls", float64(c.LLM.Budget.Phase.Calls)}, {"llm.budget.phase.tokens", float64(c.LLM.Budget.Phase.Tokens)}, {"llm.budget.phase.cost_usd", c.LLM.Budget.Phase.CostUSD},
	}
	for _, n := range numbers {
		if n.v < 0 {
			return &KeyError{Key: n.key, Msg: fmt.Sprintf("%v is negative; use 0 or more (0 means no limit)", n.v)}
		}
	}
	for _, name := range sortedKeys(c.LLM.Prices) {
		if p := c.LLM.Prices[name]; p.PromptPerMTok < 0 || p.CompletionPerMTok < 0 {
			return &KeyError{Key: "llm.prices." + name, Msg: "a price is negative"}
		}
	}
	for _, name := range sortedKeys(c.LLM.Roles) {
		if known := c.KnownRoles(); len(c.Phases.secs) > 0 && !c.Phases.partial && !slices.Contains(known, name) {
			return &KeyError{Key: "llm.roles." + name, Msg: fmt.Sprintf("%q is not a role; the roles are %s", name, strings.Join(known, ", "))}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// KeyError is a config problem tied to a key, and to a file and line when
// the YAML parser gave one.
type KeyError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *KeyError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}
