package llm

import (
	"context"
	"strings"
	"testing"
	"time"
)

func bigRequest() Request {
	code := strings.Repeat("func handler(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) }\n", 1400) // ~100 KB
	return Request{Provider: "openai", Model: "gpt-4o-mini", Prompt: "scaffold.handlers", PromptVersion: "1",
		Messages: []Message{{Role: "system", Content: "You write Go."}, {Role: "user", Content: code}}}
}

// BenchmarkCacheKey100KB: computing the content address of a 100 KB prompt.
func BenchmarkCacheKey100KB(b *testing.B) {
	req := bigRequest()
	b.SetBytes(int64(len(req.Messages[1].Content)))
	for b.Loop() {
		Key(req)
	}
}

// BenchmarkCacheHit100KB: a full cache hit (key, read, decode) for a
// 100 KB prompt, next to a model call's seconds.
func BenchmarkCacheHit100KB(b *testing.B) {
	req := bigRequest()
	store := Store{Dir: b.TempDir()}
	if err := store.Put(req, Stored{Content: strings.Repeat("x", 8000), Model: "m"}, Provenance{Source: "fixture"}); err != nil {
		b.Fatal(err)
	}
	c := Cache(nil, store, ModeReplay, time.Now)
	ctx := context.Background()
	for b.Loop() {
		if resp, err := c.Complete(ctx, req); err != nil || !resp.CacheHit {
			b.Fatal(err)
		}
	}
}
