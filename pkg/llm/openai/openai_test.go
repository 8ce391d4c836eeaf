package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

const cassetteName = "testdata/chat-completions"

// wire answers like an OpenAI-compatible server: a JSON completion, or
// server-sent events when the request asks for a stream.
func wire(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream bool `json:"stream"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	const content = `{"files":[{"path":"a.go","content":"package a\n"}]}`
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],"usage":{"prompt_tokens":41,"completion_tokens":17,"total_tokens":58}}`, content)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, part := range []string{content[:20], content[20:]} {
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", part)
	}
	fmt.Fprint(w, "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":41,\"completion_tokens\":17,\"total_tokens\":58}}\n\ndata: [DONE]\n\n")
}

// match ignores the host (a loopback port when recording, none when
// replaying) and compares method, path and body.
func match(r *http.Request, c cassette.Request) bool {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r.Method == c.Method && strings.HasSuffix(c.URL, r.URL.Path) && string(body) == c.Body
}

// The provider against a recorded exchange. The cassette was recorded once
// from wire() above on loopback (delete it to record again); after that the
// test replays it with no server at all, so a change in how the provider
// builds requests or reads answers shows up as a mismatch.
func TestRecordedExchangesReplay(t *testing.T) {
	rec, err := recorder.New(cassetteName,
		recorder.WithMode(recorder.ModeRecordOnce),
		recorder.WithMatcher(match),
		recorder.WithSkipRequestLatency(true),
		recorder.WithHook(func(i *cassette.Interaction) error {
			delete(i.Request.Headers, "Authorization")
			i.Request.URL = strings.Replace(i.Request.URL, i.Request.Host, "model.invalid", 1)
			i.Request.Host = "model.invalid"
			return nil
		}, recorder.AfterCaptureHook))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	base := "http://model.invalid/v1"
	if _, err := os.Stat(cassetteName + ".yaml"); os.IsNotExist(err) {
		srv := httptest.NewServer(http.HandlerFunc(wire))
		defer srv.Close()
		base = srv.URL + "/v1"
	}
	zero := 0.0
	seed := 7
	req := llm.Request{Provider: "openai", Model: "gpt-4o-mini", Temperature: &zero, Seed: &seed, MaxTokens: 256,
		Schema: llm.FilesSchema, SchemaName: "files",
		Messages: []llm.Message{{Role: "system", Content: "You write Go."}, {Role: "user", Content: "Write package a."}}}
	for _, stream := range []bool{false, true} {
		p := New(base, "sk-not-recorded", rec.GetDefaultClient(), time.Now)
		p.Stream = stream
		resp, err := p.Complete(context.Background(), req)
		if err != nil {
			t.Fatalf("stream=%v: %v", stream, err)
		}
		var a llm.FilesAnswer
		if err := json.Unmarshal([]byte(resp.Content), &a); err != nil || len(a.Files) != 1 || a.Files[0].Path != "a.go" {
			t.Errorf("stream=%v: content %q (%v)", stream, resp.Content, err)
		}
		if resp.Model != "gpt-4o-mini-2024-07-18" || resp.PromptTokens != 41 || resp.CompletionTokens != 17 {
			t.Errorf("stream=%v: model %q tokens %d/%d", stream, resp.Model, resp.PromptTokens, resp.CompletionTokens)
		}
	}
}

// strictServer checks the temperature as a strict OpenAI-compatible server
// would: a number in [0, 2], and exactly 0 when 0 was asked (want), or
// absent when none was.
func strictServer(t *testing.T, want *float64) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			http.Error(w, `{"error":{"message":"body is not JSON"}}`, http.StatusBadRequest)
			return
		}
		tr, ok := fields["temperature"]
		var temp float64
		if ok {
			if err := json.Unmarshal(tr, &temp); err != nil || temp < 0 || temp > 2 {
				http.Error(w, fmt.Sprintf(`{"error":{"message":"temperature %s is not a number in [0, 2]"}}`, tr), http.StatusBadRequest)
				return
			}
		}
		switch {
		case want == nil && ok:
			t.Errorf("temperature %s sent where none was configured", tr)
		case want != nil && !ok:
			t.Errorf("no temperature sent where %v was configured: %s", *want, raw)
		case want != nil && temp != *want:
			t.Errorf("temperature %s sent where %v was configured", tr, *want)
		case want != nil && *want == 0 && !bytes.Contains(raw, []byte(`"temperature":0,`)):
			t.Errorf(`the raw body lacks "temperature":0: %s`, raw)
		}
		wire(w, r)
	}))
}

func TestTemperatureZeroIsSentAsZero(t *testing.T) {
	zero, half := 0.0, 0.5
	for _, c := range []struct {
		name string
		temp *float64
	}{{"zero", &zero}, {"half", &half}, {"unset", nil}} {
		for _, stream := range []bool{false, true} {
			srv := strictServer(t, c.temp)
			p := New(srv.URL+"/v1", "sk-test", srv.Client(), time.Now)
			p.Stream = stream
			_, err := p.Complete(context.Background(), llm.Request{Provider: "openai", Model: "gpt-4o-mini", Temperature: c.temp,
				Messages: []llm.Message{{Role: "user", Content: "Write package a."}}})
			if err != nil {
				t.Errorf("%s, stream=%v: %v", c.name, stream, err)
			}
			srv.Close()
		}
	}
	if _, err := temperatureZero([]byte(`{"temperature":0.7}`)); err == nil {
		t.Error("a body with another temperature was let through")
	}
	if b, err := temperatureZero([]byte(`{}`)); err != nil || string(b) != `{"temperature":0}` {
		t.Errorf("temperatureZero({}) = %s, %v", b, err)
	}
}
