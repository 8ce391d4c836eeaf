// Package config is orchestrate.yaml: one Config struct and its loader.
package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

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

// Phases holds per-phase settings; each phase adds its own as it lands.
type Phases struct {
	Scaffold Scaffold `yaml:"scaffold" json:"scaffold"`
	Testgen  Testgen  `yaml:"testgen" json:"testgen"`
	Lint     Lint     `yaml:"lint" json:"lint"`
	Review   Review   `yaml:"review" json:"review"`
	Deploy   Deploy   `yaml:"deploy" json:"deploy"`
	Test     Test     `yaml:"test" json:"test"`
}

// Test settings.
type Test struct {
	// MaxIterations bounds the remediation rounds.
	MaxIterations int `yaml:"max_iterations" json:"max_iterations"`
	// MaxQuestions bounds the triage role's questions per iteration, one
	// per cluster of failures that share a root.
	MaxQuestions int `yaml:"max_questions" json:"max_questions"`
	// PromptBytes bounds one triage question (code, tests, spec, evidence),
	// sized for a small local model.
	PromptBytes int `yaml:"prompt_bytes" json:"prompt_bytes"`
	// Seed places an injected fault among the sites of its operator.
	Seed int64 `yaml:"seed" json:"seed"`
	// Inject plants a known fault before the tests run (--inject).
	Inject string `yaml:"inject" json:"inject"`
}

// Lint settings.
type Lint struct {
	// Checks selects analyzers: groups (vet, staticcheck, simple,
	// stylecheck, unused, modernize), names (printf, SA4006), patterns
	// (SA4*), "all"; "-" removes. Empty: the defaults.
	Checks []string `yaml:"checks" json:"checks"`
	// FailOn names analyzers, groups or "any" whose remaining findings
	// fail the phase. Empty: findings are reported, never fatal.
	FailOn []string `yaml:"fail_on" json:"fail_on"`
	// MaxPasses bounds the deterministic fix passes.
	MaxPasses int `yaml:"max_passes" json:"max_passes"`
	// ModelFixes bounds the findings sent to the fixer role per run; 0
	// turns model fixes off.
	ModelFixes int `yaml:"model_fixes" json:"model_fixes"`
	// Golangci: "auto" runs golangci-lint when a module configures it and
	// it is on PATH; "off" never.
	Golangci string `yaml:"golangci" json:"golangci"`
	// FixesFile is where applied fixes are explained, relative to the
	// workdir; empty turns it off.
	FixesFile string `yaml:"fixes_file" json:"fixes_file"`
}

// Review settings: the gate before deploy.
type Review struct {
	// MaxRisk: a risk score (0-10) from the review role at or above it
	// needs a human's approval.
	MaxRisk float64 `yaml:"max_risk" json:"max_risk"`
	// MinConfidence: a review less sure than this (0-1) needs a human.
	MinConfidence float64 `yaml:"min_confidence" json:"min_confidence"`
	// PromptBytes bounds the change shown in one question; a larger change
	// is reviewed in parts.
	PromptBytes int `yaml:"prompt_bytes" json:"prompt_bytes"`
	// MaxParts bounds those parts; a larger change needs a human.
	MaxParts int `yaml:"max_parts" json:"max_parts"`
}

// Deploy settings.
type Deploy struct {
	// Compose is the compose file, relative to the service directory.
	Compose string `yaml:"compose" json:"compose"`
	// HealthTimeout bounds the wait for every container to be healthy.
	HealthTimeout time.Duration `yaml:"health_timeout" json:"health_timeout"`
}

// Scaffold settings.
type Scaffold struct {
	// Force overwrites files changed by hand since the last run.
	Force bool `yaml:"force" json:"force"`
}

// Testgen settings.
type Testgen struct {
	// Unit turns off model-written unit tests when false.
	Unit bool `yaml:"unit" json:"unit"`
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
	RoleReview  = "review"
)

// Default is the configuration before the file, environment and flags.
func Default() Config {
	return Config{
		Version: 1,
		Service: spec.Service{Dir: "service", TestsDir: "tests", Port: 8080},
		LLM: LLM{
			Mode:     "record",
			CacheDir: "artifacts/llm-cache",
			Timeout:  2 * time.Minute,
			Retry:    Retry{Attempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second},
			Budget: Budgets{
				Run:   Budget{Calls: 60, Tokens: 600_000, CostUSD: 5, Wall: 30 * time.Minute},
				Phase: Budget{Calls: 25, Tokens: 250_000, CostUSD: 2, Wall: 15 * time.Minute},
			},
		},
		Phases: Phases{Testgen: Testgen{Unit: true},
			Lint:   Lint{MaxPasses: 5, ModelFixes: 10, Golangci: "auto", FixesFile: "FIXES.md"},
			Review: Review{MaxRisk: 7, MinConfidence: 0.6, PromptBytes: 12 << 10, MaxParts: 4},
			Test:   Test{MaxIterations: 3, MaxQuestions: 3, PromptBytes: 15 << 10},
			Deploy: Deploy{Compose: "compose.yaml", HealthTimeout: 60 * time.Second}},
		Policy: Policy{MaxLinesPerPatch: 80, MaxLinesPerRun: 300, MinConfidence: 0.6},
		Run:    Run{Timeout: 30 * time.Minute},
	}
}

// Validate checks what the YAML decoder cannot: required fields and
// references between sections.
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
	if c.Run.Timeout < 0 {
		return &KeyError{Key: "run.timeout", Msg: "must not be negative"}
	}
	switch c.Phases.Lint.Golangci {
	case "auto", "off":
	default:
		return &KeyError{Key: "phases.lint.golangci", Msg: fmt.Sprintf("%q must be auto or off", c.Phases.Lint.Golangci)}
	}
	if c.Phases.Lint.MaxPasses < 1 || c.Phases.Lint.ModelFixes < 0 {
		return &KeyError{Key: "phases.lint", Msg: "max_passes must be at least 1 and model_fixes at least 0"}
	}
	if c.Phases.Test.MaxIterations < 1 {
		return &KeyError{Key: "phases.test.max_iterations", Msg: "must be at least 1"}
	}
	if c.Phases.Test.MaxQuestions < 1 {
		return &KeyError{Key: "phases.test.max_questions", Msg: "must be at least 1"}
	}
	if c.Phases.Test.PromptBytes < 8192 {
		return &KeyError{Key: "phases.test.prompt_bytes", Msg: "must be at least 8192: the instructions and the evidence alone need that"}
	}
	if r := c.Phases.Review; r.MaxRisk < 0 || r.MaxRisk > 10 || r.MinConfidence < 0 || r.MinConfidence > 1 || r.PromptBytes < 2048 || r.MaxParts < 1 {
		return &KeyError{Key: "phases.review", Msg: "max_risk must be 0-10, min_confidence 0-1, prompt_bytes at least 2048 and max_parts at least 1"}
	}
	if c.Policy.MinConfidence < 0 || c.Policy.MinConfidence > 1 {
		return &KeyError{Key: "policy.min_confidence", Msg: "must be between 0 and 1"}
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
