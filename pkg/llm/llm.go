// Package llm is the one interface every phase uses to ask a model, and the
// decorators layered around a provider: redaction → budget → cache →
// retry → provider.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"` // system | user | assistant
	Content string `json:"content"`
}

// Request is what decides an answer, plus where it was asked from.
type Request struct {
	Provider      string          `json:"provider"` // provider kind: openai | ollama
	Model         string          `json:"model"`
	Messages      []Message       `json:"messages"`
	Temperature   *float64        `json:"temperature,omitempty"`
	Seed          *int            `json:"seed,omitempty"`
	MaxTokens     int             `json:"max_tokens,omitempty"`
	Schema        json.RawMessage `json:"schema,omitempty"` // JSON Schema of the answer
	SchemaName    string          `json:"schema_name,omitempty"`
	Prompt        string          `json:"prompt"` // template name
	PromptVersion string          `json:"prompt_version"`

	// Not part of the answer: where the request came from, for messages.
	Phase string `json:"-"`
	Role  string `json:"-"`
}

// Response is a model's answer and what it cost.
type Response struct {
	Content          string        `json:"content"`
	Model            string        `json:"model"` // as the server reported it
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	Latency          time.Duration `json:"latency_ns"`
	CostUSD          float64       `json:"cost_usd"`
	CacheKey         string        `json:"cache_key,omitempty"`
	CacheHit         bool          `json:"cache_hit"`
	Attempts         int           `json:"attempts"`
	Provenance       *Provenance   `json:"provenance,omitempty"`
}

// Provenance says where a cached answer came from.
type Provenance struct {
	Source     string    `json:"source"` // recorded | fixture
	Provider   string    `json:"provider"`
	Model      string    `json:"model"`
	RecordedAt time.Time `json:"recorded_at"`
	Note       string    `json:"note,omitempty"`
}

// Client answers requests.
type Client interface {
	Complete(ctx context.Context, req Request) (Response, error)
}

// ClientFunc adapts a function to Client.
type ClientFunc func(ctx context.Context, req Request) (Response, error)

// Complete calls f.
func (f ClientFunc) Complete(ctx context.Context, req Request) (Response, error) { return f(ctx, req) }

// APIError is a provider's error answer, with the message as the server
// gave it.
type APIError struct {
	Provider   string
	Status     int // HTTP status; 0 when none
	Message    string
	RetryAfter time.Duration // from a Retry-After header
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %s", e.Provider, e.Message)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Provider, e.Status, e.Message)
}

// Hint says what to do about an error, when there is something to do.
func Hint(err error) string {
	var ae *APIError
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.Status {
	case 401, 403:
		return "check the API key (the variable named by llm.providers.<name>.api_key_env)"
	case 404:
		if ae.Provider == "ollama" {
			return "" // the provider's message already says `ollama pull`
		}
		return "check the model name and OPENAI_BASE_URL / llm.providers.<name>.base_url"
	case 429:
		return "the provider is rate limiting: wait, lower the request rate, or raise your quota"
	}
	return ""
}
