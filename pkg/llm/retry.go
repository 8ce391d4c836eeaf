package llm

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryPolicy bounds retries.
type RetryPolicy struct {
	Attempts  int           // total attempts, at least 1
	BaseDelay time.Duration // first backoff
	MaxDelay  time.Duration // cap on one wait, Retry-After included
	Timeout   time.Duration // per attempt; 0 = none
	// Sleep waits, or returns early with ctx's error; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry retries transient failures: 429 (honouring Retry-After), 5xx,
// connection resets and per-attempt timeouts, with exponential backoff and
// jitter. A 4xx other than 429 will not change on retry and is returned as
// the server gave it.
func Retry(next Client, p RetryPolicy) Client {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	return ClientFunc(func(ctx context.Context, req Request) (Response, error) {
		var last error
		for attempt := 1; attempt <= p.Attempts; attempt++ {
			actx, cancel := ctx, context.CancelFunc(func() {})
			if p.Timeout > 0 {
				actx, cancel = context.WithTimeout(ctx, p.Timeout)
			}
			resp, err := next.Complete(actx, req)
			cancel()
			if err == nil {
				resp.Attempts = attempt
				return resp, nil
			}
			last = err
			if ctx.Err() != nil || !Retryable(err) || attempt == p.Attempts {
				break
			}
			wait := backoff(p, attempt)
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter > 0 {
				wait = min(ae.RetryAfter, p.MaxDelay)
			}
			if err := p.Sleep(ctx, wait); err != nil {
				return Response{}, err
			}
		}
		return Response{}, last
	})
}

// Retryable reports whether err may go away on its own.
func Retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500 || ae.Status == 0 && isTransport(err)
	}
	return isTransport(err)
}

func isTransport(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay << (attempt - 1)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	// Full jitter on the upper half: spread retries without waiting nothing.
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// HeaderCapture is an http.RoundTripper that remembers, per request
// context, the Retry-After of an error answer: provider SDKs turn error
// answers into errors without their headers.
type HeaderCapture struct {
	Next http.RoundTripper
}

type retryAfterKey struct{}

// WithRetryAfterSlot returns a context whose requests record Retry-After
// into *slot.
func WithRetryAfterSlot(ctx context.Context, slot *string) context.Context {
	return context.WithValue(ctx, retryAfterKey{}, slot)
}

// RoundTrip implements http.RoundTripper.
func (h HeaderCapture) RoundTrip(r *http.Request) (*http.Response, error) {
	next := h.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if err == nil && resp.StatusCode >= 400 {
		if slot, ok := r.Context().Value(retryAfterKey{}).(*string); ok {
			*slot = resp.Header.Get("Retry-After")
		}
	}
	return resp, err
}
