package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Limits of a budget; zero means no limit on that measure.
type Limits struct {
	Calls   int
	Tokens  int
	CostUSD float64
	Wall    time.Duration // time spent waiting on models
}

// Usage is what was spent.
type Usage struct {
	Calls            int           `json:"calls"`
	CacheHits        int           `json:"cache_hits"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	CostUSD          float64       `json:"cost_usd"`
	Wall             time.Duration `json:"wall_ns"`
}

// Meter counts usage against limits. Key names the config key of the
// limits (llm.budget.run), for messages.
type Meter struct {
	Key    string
	Limits Limits
	mu     sync.Mutex
	used   Usage
}

// Used returns what was spent so far.
func (m *Meter) Used() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

func (m *Meter) check() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, u := m.Limits, m.used
	var what string
	switch {
	case l.Calls > 0 && u.Calls >= l.Calls:
		what = fmt.Sprintf("%s.calls = %d reached", m.Key, l.Calls)
	case l.Tokens > 0 && u.PromptTokens+u.CompletionTokens >= l.Tokens:
		what = fmt.Sprintf("%s.tokens = %d reached (%d used)", m.Key, l.Tokens, u.PromptTokens+u.CompletionTokens)
	case l.CostUSD > 0 && u.CostUSD >= l.CostUSD:
		what = fmt.Sprintf("%s.cost_usd = %.4f reached ($%.4f spent)", m.Key, l.CostUSD, u.CostUSD)
	case l.Wall > 0 && u.Wall >= l.Wall:
		what = fmt.Sprintf("%s.wall = %s reached (%s spent waiting on models)", m.Key, l.Wall, u.Wall.Round(time.Millisecond))
	default:
		return nil
	}
	return failure.Wrap(failure.LLMError, ErrBudget, "LLM budget exceeded: %s; raise it in orchestrate.yaml if the spend is expected", what)
}

func (m *Meter) add(resp Response, hit bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used.Calls++
	if hit {
		m.used.CacheHits++
		return
	}
	m.used.PromptTokens += resp.PromptTokens
	m.used.CompletionTokens += resp.CompletionTokens
	m.used.CostUSD += resp.CostUSD
	m.used.Wall += resp.Latency
}

// Price of a model in USD per million tokens.
type Price struct{ Prompt, Completion float64 }

// ErrBudget is wrapped by every budget refusal, so a caller can tell a
// spent budget from a model that failed.
var ErrBudget = errors.New("llm budget exceeded")

// Budget checks every meter before a call and charges it after. A call
// that fails, or whose answer fails to parse, still counts; a cache hit
// counts as a call but costs no tokens.
func Budget(next Client, prices map[string]Price, meters ...*Meter) Client {
	return ClientFunc(func(ctx context.Context, req Request) (Response, error) {
		for _, m := range meters {
			if err := m.check(); err != nil {
				return Response{}, err
			}
		}
		resp, err := next.Complete(ctx, req)
		if !resp.CacheHit {
			p := prices[strings.ToLower(req.Model)]
			resp.CostUSD = (float64(resp.PromptTokens)*p.Prompt + float64(resp.CompletionTokens)*p.Completion) / 1e6
		}
		for _, m := range meters {
			m.add(resp, resp.CacheHit && err == nil)
		}
		return resp, err
	})
}
