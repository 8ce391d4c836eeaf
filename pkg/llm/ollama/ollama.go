// Package ollama is the provider for a local (or remote) Ollama server.
package ollama

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// DefaultHost is used when neither config nor OLLAMA_HOST set one.
const DefaultHost = "http://127.0.0.1:11434"

// Provider talks to one Ollama server.
type Provider struct {
	client *api.Client
	now    func() time.Time
}

// New returns a provider for host (OLLAMA_HOST form: URL or host:port).
func New(host string, hc *http.Client, now func() time.Time) (*Provider, error) {
	u, err := parseHost(host)
	if err != nil {
		return nil, err
	}
	c := *hc
	c.Transport = llm.HeaderCapture{Next: hc.Transport}
	return &Provider{client: api.NewClient(u, &c), now: now}, nil
}

func parseHost(h string) (*url.URL, error) {
	if h == "" {
		h = DefaultHost
	}
	if !strings.Contains(h, "://") {
		h = "http://" + h
	}
	u, err := url.Parse(h)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("ollama: OLLAMA_HOST %q is not a host or URL", h)
	}
	return u, nil
}

// Complete implements llm.Client. It streams, as the server does by
// default, and joins the chunks.
func (p *Provider) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	cr := &api.ChatRequest{Model: req.Model, Options: map[string]any{}}
	for _, m := range req.Messages {
		cr.Messages = append(cr.Messages, api.Message{Role: m.Role, Content: m.Content})
	}
	if req.Temperature != nil {
		cr.Options["temperature"] = *req.Temperature
	}
	if req.Seed != nil {
		cr.Options["seed"] = *req.Seed
	}
	if req.MaxTokens > 0 {
		cr.Options["num_predict"] = req.MaxTokens
	}
	if len(req.Schema) > 0 {
		cr.Format = req.Schema
	}
	var b strings.Builder
	var out llm.Response
	var retryAfter string
	start := p.now()
	err := p.client.Chat(llm.WithRetryAfterSlot(ctx, &retryAfter), cr, func(r api.ChatResponse) error {
		b.WriteString(r.Message.Content)
		if r.Done {
			out.Model = r.Model
			out.PromptTokens = r.PromptEvalCount
			out.CompletionTokens = r.EvalCount
		}
		return nil
	})
	out.Latency = p.now().Sub(start)
	if err != nil {
		return out, convert(err, req.Model, retryAfter, p.now())
	}
	out.Content = b.String()
	return out, nil
}

// HasModel reports whether the model is pulled (doctor).
func (p *Provider) HasModel(ctx context.Context, model string) error {
	var retryAfter string
	_, err := p.client.Show(llm.WithRetryAfterSlot(ctx, &retryAfter), &api.ShowRequest{Model: model})
	if err != nil {
		return convert(err, model, retryAfter, p.now())
	}
	return nil
}

// Version asks the server's version (doctor).
func (p *Provider) Version(ctx context.Context) (string, error) { return p.client.Version(ctx) }

func convert(err error, model, retryAfter string, now time.Time) error {
	var se api.StatusError
	if errors.As(err, &se) {
		msg := se.ErrorMessage
		if se.StatusCode == http.StatusNotFound {
			msg = fmt.Sprintf("model %q is not available on this Ollama server (%s): run `ollama pull %s`", model, se.ErrorMessage, model)
		}
		return &llm.APIError{Provider: "ollama", Status: se.StatusCode, Message: msg, RetryAfter: llm.ParseRetryAfter(retryAfter, now)}
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) {
		return &llm.APIError{Provider: "ollama", Status: ae.StatusCode, Message: ae.Error()}
	}
	return err
}
