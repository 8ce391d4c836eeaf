// Package openai is the provider for OpenAI-compatible chat completion
// servers (OpenAI, Azure, vLLM, LM Studio, llama.cpp server).
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// DefaultBaseURL is used when neither config nor OPENAI_BASE_URL set one.
const DefaultBaseURL = "https://api.openai.com/v1"

// Provider talks to one server.
type Provider struct {
	client *goopenai.Client
	now    func() time.Time
	// JSONSchema: ask for structured output against the schema; when
	// false, plain JSON mode (servers without json_schema support).
	JSONSchema bool
	// Stream: receive the answer as server-sent events. Long answers then
	// keep the connection busy, which proxies with idle timeouts need.
	Stream bool
}

// New returns a provider for baseURL with apiKey, using hc for HTTP.
func New(baseURL, apiKey string, hc *http.Client, now func() time.Time) *Provider {
	cfg := goopenai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	c := *hc
	c.Transport = llm.HeaderCapture{Next: hc.Transport}
	cfg.HTTPClient = explicitZero{next: &c}
	return &Provider{client: goopenai.NewClientWithConfig(cfg), now: now, JSONSchema: true}
}

// zeroKey marks the context of a request asked for with temperature 0.
type zeroKey struct{}

// explicitZero sends "temperature":0 for a request whose context is
// marked: go-openai's request type omits a zero temperature (omitempty),
// and a server that gets none uses its default (1 for OpenAI), which is
// not what 0 asks for. It writes the key into the JSON body the library
// encoded, which has none.
type explicitZero struct{ next goopenai.HTTPDoer }

func (d explicitZero) Do(r *http.Request) (*http.Response, error) {
	if r.Context().Value(zeroKey{}) == nil || r.Body == nil || r.Body == http.NoBody {
		return d.next.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	if body, err = temperatureZero(body); err != nil {
		return nil, err
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return d.next.Do(r)
}

// temperatureZero sets the temperature of a JSON request object to 0.
func temperatureZero(body []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("openai: the request body is not a JSON object: %w", err)
	}
	if t, ok := fields["temperature"]; ok {
		if string(t) == "0" {
			return body, nil
		}
		return nil, fmt.Errorf("openai: the request carries temperature %s where 0 was asked", t)
	}
	rest := bytes.TrimSpace(body)[1:]
	if len(fields) > 0 {
		return append([]byte(`{"temperature":0,`), rest...), nil
	}
	return append([]byte(`{"temperature":0`), rest...), nil
}

type rawSchema json.RawMessage

func (r rawSchema) MarshalJSON() ([]byte, error) { return r, nil }

// Complete implements llm.Client.
func (p *Provider) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	//lint:ignore SA1019 max_tokens is what OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) understand; max_completion_tokens is OpenAI's alone
	cr := goopenai.ChatCompletionRequest{Model: req.Model, MaxTokens: req.MaxTokens, Seed: req.Seed}
	for _, m := range req.Messages {
		cr.Messages = append(cr.Messages, goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	if req.Temperature != nil {
		cr.Temperature = float32(*req.Temperature)
		if cr.Temperature == 0 {
			ctx = context.WithValue(ctx, zeroKey{}, true) // see explicitZero
		}
	}
	if len(req.Schema) > 0 {
		if p.JSONSchema {
			name := req.SchemaName
			if name == "" {
				name = "answer"
			}
			cr.ResponseFormat = &goopenai.ChatCompletionResponseFormat{
				Type:       goopenai.ChatCompletionResponseFormatTypeJSONSchema,
				JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: rawSchema(req.Schema)},
			}
		} else {
			cr.ResponseFormat = &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONObject}
		}
	}
	if p.Stream {
		return p.stream(ctx, cr)
	}
	var retryAfter string
	start := p.now()
	resp, err := p.client.CreateChatCompletion(llm.WithRetryAfterSlot(ctx, &retryAfter), cr)
	lat := p.now().Sub(start)
	if err != nil {
		return llm.Response{Latency: lat}, convert(err, retryAfter, p.now())
	}
	if len(resp.Choices) == 0 {
		return llm.Response{Latency: lat}, &llm.APIError{Provider: "openai", Message: "the server answered with no choices"}
	}
	return llm.Response{
		Content: resp.Choices[0].Message.Content, Model: resp.Model,
		PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens, Latency: lat,
	}, nil
}

// stream asks for the answer as server-sent events, with the usage in the
// last chunk.
func (p *Provider) stream(ctx context.Context, cr goopenai.ChatCompletionRequest) (llm.Response, error) {
	cr.Stream = true
	cr.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	var retryAfter string
	start := p.now()
	st, err := p.client.CreateChatCompletionStream(llm.WithRetryAfterSlot(ctx, &retryAfter), cr)
	if err != nil {
		return llm.Response{Latency: p.now().Sub(start)}, convert(err, retryAfter, p.now())
	}
	defer st.Close()
	var out llm.Response
	var content strings.Builder
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Latency = p.now().Sub(start)
			return out, convert(err, retryAfter, p.now())
		}
		if chunk.Model != "" {
			out.Model = chunk.Model
		}
		if len(chunk.Choices) > 0 {
			content.WriteString(chunk.Choices[0].Delta.Content)
		}
		if chunk.Usage != nil {
			out.PromptTokens, out.CompletionTokens = chunk.Usage.PromptTokens, chunk.Usage.CompletionTokens
		}
	}
	out.Content, out.Latency = content.String(), p.now().Sub(start)
	return out, nil
}

// Models lists the server's models (doctor).
func (p *Provider) Models(ctx context.Context) ([]string, error) {
	var retryAfter string
	list, err := p.client.ListModels(llm.WithRetryAfterSlot(ctx, &retryAfter))
	if err != nil {
		return nil, convert(err, retryAfter, p.now())
	}
	out := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		out = append(out, m.ID)
	}
	return out, nil
}

func convert(err error, retryAfter string, now time.Time) error {
	var ae *goopenai.APIError
	var re *goopenai.RequestError
	switch {
	case errors.As(err, &ae):
		return &llm.APIError{Provider: "openai", Status: ae.HTTPStatusCode, Message: ae.Message, RetryAfter: llm.ParseRetryAfter(retryAfter, now)}
	case errors.As(err, &re):
		msg := string(re.Body)
		if msg == "" && re.Err != nil {
			msg = re.Err.Error()
		}
		return &llm.APIError{Provider: "openai", Status: re.HTTPStatusCode, Message: msg, RetryAfter: llm.ParseRetryAfter(retryAfter, now)}
	}
	return err
}
