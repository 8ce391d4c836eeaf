package roles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// reply is one scripted answer of a fake server.
type reply struct {
	status  int
	header  map[string]string
	content string // the model's message content (200 only)
	body    string // raw body (errors)
	hang    bool
}

// server speaks OpenAI's /v1/chat completions and Ollama's /api/chat,
// /api/show and /api/tags wire formats, answering from a script.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	script []reply
	bodies []string
}

func newServer(t *testing.T, script ...reply) *server {
	s := &server{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	var rp reply
	if len(s.script) > 0 {
		rp, s.script = s.script[0], s.script[1:]
	} else {
		rp = reply{status: 500, body: `{"error":{"message":"script exhausted","type":"server_error"}}`}
	}
	s.mu.Unlock()
	if rp.hang {
		<-r.Context().Done()
		return
	}
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	switch {
	case r.URL.Path == "/api/show":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		io.WriteString(w, rp.body)
	case r.URL.Path == "/api/chat":
		w.Header().Set("Content-Type", "application/x-ndjson")
		if rp.status != 200 {
			w.WriteHeader(rp.status)
			io.WriteString(w, rp.body)
			return
		}
		// Stream the content in three chunks, then the final metrics line.
		c := rp.content
		parts := []string{c[:len(c)/3], c[len(c)/3 : 2*len(c)/3], c[2*len(c)/3:]}
		for _, p := range parts {
			line, _ := json.Marshal(map[string]any{"model": "qwen2.5-coder:7b", "created_at": time.Now().UTC(), "message": map[string]any{"role": "assistant", "content": p}, "done": false})
			fmt.Fprintf(w, "%s\n", line)
			w.(http.Flusher).Flush()
		}
		line, _ := json.Marshal(map[string]any{"model": "qwen2.5-coder:7b", "created_at": time.Now().UTC(), "message": map[string]any{"role": "assistant", "content": ""}, "done": true, "done_reason": "stop", "prompt_eval_count": 120, "eval_count": 30})
		fmt.Fprintf(w, "%s\n", line)
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		w.Header().Set("Content-Type", "application/json")
		if rp.status != 200 {
			w.WriteHeader(rp.status)
			io.WriteString(w, rp.body)
			return
		}
		if strings.Contains(string(b), `"stream":true`) {
			// Server-sent events: role, the content in three deltas, the
			// finish reason, then the usage chunk (stream_options.include_usage).
			w.Header().Set("Content-Type", "text/event-stream")
			c := rp.content
			deltas := []map[string]any{{"role": "assistant", "content": ""}, {"content": c[:len(c)/3]}, {"content": c[len(c)/3 : 2*len(c)/3]}, {"content": c[2*len(c)/3:]}}
			for _, d := range deltas {
				ev, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18",
					"choices": []any{map[string]any{"index": 0, "delta": d, "finish_reason": nil}}})
				fmt.Fprintf(w, "data: %s\n\n", ev)
				w.(http.Flusher).Flush()
			}
			fin, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18",
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}})
			usage, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18",
				"choices": []any{}, "usage": map[string]any{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
			fmt.Fprintf(w, "data: %s\n\ndata: %s\n\ndata: [DONE]\n\n", fin, usage)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": rp.content}}},
			"usage":   map[string]any{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
		})
	default:
		http.NotFound(w, r)
	}
}

type answer struct {
	Summary string `json:"summary"`
	Files   []struct {
		Path    string `json:"path"`
		Content string `json:"content"`
	} `json:"files"`
}

var schema = json.RawMessage(`{"type":"object","required":["summary","files"],"properties":{"summary":{"type":"string"},"files":{"type":"array","items":{"type":"object","required":["path","content"],"properties":{"path":{"type":"string"},"content":{"type":"string"}}}}}}`)

const good = `{"summary":"ok","files":[{"path":"a.go","content":"package a"}]}`

type env struct {
	router  *Router
	run     *artifact.Run
	session *llm.Session
	sleeps  []time.Duration
	cfg     config.LLM
}

func setup(t *testing.T, mode string, srvURL string, mut func(*config.LLM)) *env {
	t.Helper()
	cfg := config.Default().LLM
	cfg.Mode = mode
	cfg.CacheDir = filepath.Join(t.TempDir(), "cache")
	cfg.Timeout = 300 * time.Millisecond
	cfg.Providers = map[string]config.Provider{"hosted": {Kind: "openai", BaseURL: srvURL + "/v1"}, "local": {Kind: "ollama", BaseURL: srvURL}}
	cfg.Roles = map[string]config.Role{"codegen": {Provider: "hosted", Model: "gpt-4o-mini"}, "triage": {Provider: "local", Model: "qwen2.5-coder:7b"}}
	cfg.Prices = map[string]config.Price{"gpt-4o-mini": {PromptPerMTok: 0.15, CompletionPerMTok: 0.6}}
	if mut != nil {
		mut(&cfg)
	}
	e := &env{cfg: cfg}
	red := redact.New("not-a-real-key-but-secret-123")
	getenv := func(k string) string {
		if k == "OPENAI_API_KEY" {
			return "not-a-real-key-but-secret-123"
		}
		return ""
	}
	e.router = New(cfg, t.TempDir(), red, &http.Client{}, getenv, time.Now)
	e.router.SetRetry(func() llm.RetryPolicy {
		return llm.RetryPolicy{Attempts: cfg.Retry.Attempts, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Second, Timeout: cfg.Timeout,
			Sleep: func(_ context.Context, d time.Duration) error { e.sleeps = append(e.sleeps, d); return nil }}
	})
	var err error
	e.run, err = artifact.Create(t.TempDir(), "r", strings.Repeat("a", 32), red, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.session = &llm.Session{Roles: e.router, Art: e.run.Sub("01-scaffold", "scaffold", "s"), Phase: "scaffold", Meter: e.router.PhaseMeter("scaffold")}
	return e
}

func ask(e *env, role, user string) (answer, error) {
	rep, err := llm.AskFor[answer](context.Background(), e.session, llm.Ask{Role: role, Schema: schema, SchemaName: "files",
		Prompt: llm.Prompt{Name: "scaffold.handlers", Version: "1", System: "You write Go.", User: user}})
	return rep.Answer, err
}

func TestOpenAIHappyPathRecordsThenReplays(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good})
	e := setup(t, llm.ModeRecord, srv.URL, nil)
	a, err := ask(e, "codegen", "write a")
	if err != nil || a.Files[0].Path != "a.go" {
		t.Fatalf("%+v %v", a, err)
	}
	body := srv.requests()[0]
	for _, want := range []string{`"response_format":{"type":"json_schema"`, `"model":"gpt-4o-mini"`} {
		if !strings.Contains(body, want) {
			t.Errorf("request lacks %s: %s", want, body)
		}
	}
	u := e.router.RunUsage()
	if u.Calls != 1 || u.PromptTokens != 100 || u.CostUSD <= 0 {
		t.Fatalf("usage %+v", u)
	}
	// Artifacts: prompt, response, parsed, meta.
	for _, f := range []string{"01-scaffold.handlers.prompt.md", "01-scaffold.handlers.response.txt", "01-scaffold.handlers.parsed.json", "01-scaffold.handlers.meta.json"} {
		if _, err := os.Stat(filepath.Join(e.run.Dir, "01-scaffold", "llm", f)); err != nil {
			t.Error(err)
		}
	}
	// The same question offline is served from the cache, without the server.
	off := setup(t, llm.ModeReplay, "http://127.0.0.1:1", func(c *config.LLM) { c.CacheDir = e.cfg.CacheDir })
	a, err = ask(off, "codegen", "write a")
	if err != nil || a.Summary != "ok" {
		t.Fatalf("replay: %+v %v", a, err)
	}
	if len(srv.requests()) != 1 {
		t.Fatalf("replay reached the server")
	}
	var meta llm.Exchange
	b, _ := os.ReadFile(filepath.Join(off.run.Dir, "01-scaffold", "llm", "01-scaffold.handlers.meta.json"))
	json.Unmarshal(b, &meta)
	if !meta.CacheHit || meta.Provenance == nil || meta.Provenance.Source != "recorded" || meta.Provenance.Model != "gpt-4o-mini-2024-07-18" {
		t.Fatalf("meta %+v", meta)
	}
}

func TestRetries(t *testing.T) {
	t.Run("429 with Retry-After", func(t *testing.T) {
		srv := newServer(t, reply{status: 429, header: map[string]string{"Retry-After": "7"}, body: `{"error":{"message":"Rate limit reached","type":"requests"}}`}, reply{status: 200, content: good})
		e := setup(t, llm.ModeLive, srv.URL, nil)
		if _, err := ask(e, "codegen", "x"); err != nil {
			t.Fatal(err)
		}
		if len(e.sleeps) != 1 || e.sleeps[0] != 7*time.Second {
			t.Fatalf("sleeps %v, want [7s]", e.sleeps)
		}
	})
	t.Run("500 twice", func(t *testing.T) {
		e500 := reply{status: 500, body: `{"error":{"message":"boom","type":"server_error"}}`}
		srv := newServer(t, e500, e500, reply{status: 200, content: good})
		e := setup(t, llm.ModeLive, srv.URL, nil)
		if _, err := ask(e, "codegen", "x"); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.requests()); n != 3 {
			t.Fatalf("%d requests", n)
		}
	})
	t.Run("401 not retried", func(t *testing.T) {
		srv := newServer(t, reply{status: 401, body: `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`})
		e := setup(t, llm.ModeLive, srv.URL, nil)
		_, err := ask(e, "codegen", "x")
		if failure.ClassOf(err) != failure.LLMError || !strings.Contains(err.Error(), "Incorrect API key provided") || !strings.Contains(err.Error(), "api_key_env") {
			t.Fatalf("got %v", err)
		}
		if n := len(srv.requests()); n != 1 {
			t.Fatalf("%d requests", n)
		}
	})
	t.Run("hung server", func(t *testing.T) {
		srv := newServer(t, reply{hang: true}, reply{hang: true}, reply{hang: true}, reply{hang: true})
		e := setup(t, llm.ModeLive, srv.URL, func(c *config.LLM) { c.Retry.Attempts = 2 })
		start := time.Now()
		_, err := ask(e, "codegen", "x")
		if failure.ClassOf(err) != failure.LLMError || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		if n := len(srv.requests()); n != 2 || time.Since(start) > 5*time.Second {
			t.Fatalf("%d requests in %v", n, time.Since(start))
		}
	})
}

func TestAnswersThatNeedParsing(t *testing.T) {
	t.Run("code fence", func(t *testing.T) {
		srv := newServer(t, reply{status: 200, content: "Here it is:\n```json\n" + good + "\n```"})
		if a, err := ask(setup(t, llm.ModeLive, srv.URL, nil), "codegen", "x"); err != nil || a.Summary != "ok" {
			t.Fatalf("%+v %v", a, err)
		}
	})
	t.Run("cut off", func(t *testing.T) {
		srv := newServer(t, reply{status: 200, content: `{"summary":"ok","files":[{"path":"a.go","content":"package a"},{"path":"b.go","cont`})
		a, err := ask(setup(t, llm.ModeLive, srv.URL, nil), "codegen", "x")
		if err != nil || len(a.Files) != 1 {
			t.Fatalf("%+v %v", a, err)
		}
	})
	t.Run("prose, then JSON on the re-ask", func(t *testing.T) {
		srv := newServer(t, reply{status: 200, content: "I think you should write a handler."}, reply{status: 200, content: good})
		e := setup(t, llm.ModeLive, srv.URL, nil)
		if _, err := ask(e, "codegen", "x"); err != nil {
			t.Fatal(err)
		}
		reqs := srv.requests()
		if len(reqs) != 2 || !strings.Contains(reqs[1], "could not be used") || !strings.Contains(reqs[1], "I think you should") {
			t.Fatalf("re-ask: %v", reqs)
		}
	})
	t.Run("garbage twice", func(t *testing.T) {
		srv := newServer(t, reply{status: 200, content: "no"}, reply{status: 200, content: `{"summary": 3}`}, reply{status: 200, content: good})
		e := setup(t, llm.ModeLive, srv.URL, nil)
		_, err := ask(e, "codegen", "x")
		if failure.ClassOf(err) != failure.LLMError || !strings.Contains(err.Error(), "twice") {
			t.Fatalf("got %v", err)
		}
		if n := len(srv.requests()); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
		for _, f := range []string{"01-scaffold.handlers.response.txt", "02-scaffold.handlers.response.txt"} {
			if _, err := os.Stat(filepath.Join(e.run.Dir, "01-scaffold", "llm", f)); err != nil {
				t.Error(err)
			}
		}
		if u := e.router.RunUsage(); u.Calls != 2 {
			t.Fatalf("failed parses not charged: %+v", u)
		}
	})
}

func TestBudgetStopsThePhase(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good}, reply{status: 200, content: good}, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, func(c *config.LLM) { c.Budget.Phase.Calls = 2 })
	for i := 0; i < 2; i++ {
		if _, err := ask(e, "codegen", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := ask(e, "codegen", "3")
	if failure.ClassOf(err) != failure.LLMError || !strings.Contains(err.Error(), "llm.budget.phase.calls = 2 reached") {
		t.Fatalf("got %v", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Fatalf("%d requests", n)
	}
}

func TestOfflineMissIsAClearErrorWithoutNetwork(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good})
	rec := setup(t, llm.ModeRecord, srv.URL, nil)
	if _, err := ask(rec, "codegen", "write the handler for /v1/events"); err != nil {
		t.Fatal(err)
	}
	off := setup(t, llm.ModeReplay, srv.URL, func(c *config.LLM) { c.CacheDir = rec.cfg.CacheDir })
	_, err := ask(off, "codegen", "write the handler for /v2/events")
	msg := fmt.Sprint(err)
	for _, want := range []string{"phase scaffold", "prompt scaffold.handlers", "key ", "differs in messages[1].content at line 1", "v1/events"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if n := len(srv.requests()); n != 1 {
		t.Fatalf("offline made a request")
	}
	if !errors.Is(err, llm.ErrNoRecordedAnswer) {
		t.Errorf("a replay miss does not wrap llm.ErrNoRecordedAnswer: %v", err)
	}
	if failure.ClassOf(err) != failure.LLMError {
		t.Errorf("a replay miss is not an llm_error: %v", err)
	}
}

func TestSecretsNeverLeaveNorReachDisk(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good})
	e := setup(t, llm.ModeRecord, srv.URL, nil)
	if _, err := ask(e, "codegen", "the key is not-a-real-key-but-secret-123 and sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX"); err != nil {
		t.Fatal(err)
	}
	for _, body := range srv.requests() {
		if strings.Contains(body, "not-a-real-key-but-secret-123") || strings.Contains(body, "ABCDEFGHIJKLMNOPQRSTUVWX") {
			t.Fatalf("secret sent: %s", body)
		}
	}
	for _, dir := range []string{e.run.Dir, e.cfg.CacheDir} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				if strings.Contains(string(b), "not-a-real-key-but-secret-123") || strings.Contains(string(b), "ABCDEFGHIJKLMNOPQRSTUVWX") {
					t.Errorf("secret on disk in %s", p)
				}
			}
			return nil
		})
	}
}

func TestOllama(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, nil)
	a, err := ask(e, "triage", "x")
	if err != nil || a.Summary != "ok" {
		t.Fatalf("%+v %v", a, err)
	}
	if body := srv.requests()[0]; !strings.Contains(body, `"format":{"type":"object"`) {
		t.Fatalf("no schema format in %s", body)
	}
	if u := e.router.RunUsage(); u.PromptTokens != 120 || u.CompletionTokens != 30 {
		t.Fatalf("usage %+v", u)
	}

	missing := newServer(t, reply{status: 404, body: `{"error":"model \"qwen2.5-coder:7b\" not found, try pulling it first"}`})
	e = setup(t, llm.ModeLive, missing.URL, nil)
	_, err = ask(e, "triage", "x")
	if !strings.Contains(fmt.Sprint(err), "ollama pull qwen2.5-coder:7b") {
		t.Fatalf("got %v", err)
	}
}

func TestOpenAIStreaming(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good}, reply{status: 429, header: map[string]string{"Retry-After": "1"},
		body: `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`}, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, func(c *config.LLM) {
		p := c.Providers["hosted"]
		p.Stream = true
		c.Providers["hosted"] = p
	})
	a, err := ask(e, "codegen", "write a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary != "ok" || len(a.Files) != 1 {
		t.Errorf("answer = %+v", a)
	}
	if body := srv.requests()[0]; !strings.Contains(body, `"stream":true`) || !strings.Contains(body, `"include_usage":true`) {
		t.Errorf("request did not ask for a stream with usage: %s", body)
	}
	meta, err := os.ReadFile(filepath.Join(e.run.Dir, "01-scaffold", "llm", "01-scaffold.handlers.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"model_reported": "gpt-4o-mini-2024-07-18"`, `"tokens": [`, "100,", "20"} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("meta lacks %s:\n%s", want, meta)
		}
	}
	// A 429 on a streaming request is retried like any other.
	if _, err := ask(e, "codegen", "write b"); err != nil {
		t.Fatal(err)
	}
	if len(e.sleeps) != 1 || e.sleeps[0] != time.Second {
		t.Errorf("sleeps = %v, want one of 1s (Retry-After)", e.sleeps)
	}
}
