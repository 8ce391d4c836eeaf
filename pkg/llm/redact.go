package llm

import (
	"context"

	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Redact removes secrets from every message before it leaves the process,
// and from the answer before anything stores it.
func Redact(next Client, r *redact.Redactor) Client {
	return ClientFunc(func(ctx context.Context, req Request) (Response, error) {
		msgs := make([]Message, len(req.Messages))
		for i, m := range req.Messages {
			msgs[i] = Message{Role: m.Role, Content: r.String(m.Content)}
		}
		req.Messages = msgs
		resp, err := next.Complete(ctx, req)
		resp.Content = r.String(resp.Content)
		return resp, err
	})
}
