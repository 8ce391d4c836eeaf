// Package openai is the provider for OpenAI-compatible chat completion
// servers (OpenAI, Azure, vLLM, LM Studio, llama.cpp server).
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
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
	cfg.HTTPClient = &c
	return &Provider{client: goopenai.NewClientWithConfig(cfg), now: now, JSONSchema: true}
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
			// go-openai omits a zero temperature; the smallest float asks for it.
			cr.Temperature = math.SmallestNonzeroFloat32
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
