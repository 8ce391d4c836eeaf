// Package notify tells people how a run ended: Slack (an incoming webhook,
// Block Kit), Microsoft Teams (a workflow webhook, an Adaptive Card),
// PagerDuty (Events API v2, failures and rollbacks only) and any JSON
// webhook. The URLs and keys come from environment variables: they are
// secrets, never written anywhere, and never part of an error message.
// Delivery retries with backoff; a failed delivery never fails the run, it
// is reported.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Kinds of channel.
const (
	Slack     = "slack"
	Teams     = "teams"
	PagerDuty = "pagerduty"
	Webhook   = "webhook"
)

// Kinds lists every kind of channel.
var Kinds = []string{Slack, Teams, PagerDuty, Webhook}

// PagerDutyURL is the Events API v2 endpoint, used unless a channel's
// url_env names another.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// Channel is one destination, as configured (notify.channels).
type Channel struct {
	Kind string `yaml:"kind" json:"kind"`
	// URLEnv names the environment variable holding the webhook URL
	// (PagerDuty: optional, the Events API's by default).
	URLEnv string `yaml:"url_env" json:"url_env,omitempty"`
	// RoutingKeyEnv names the variable holding PagerDuty's routing key.
	RoutingKeyEnv string `yaml:"routing_key_env" json:"routing_key_env,omitempty"`
}

// Name is how the channel appears in the summary and the report: its kind
// and the variable its URL comes from, never the URL.
func (c Channel) Name() string {
	if c.URLEnv != "" {
		return c.Kind + " ($" + c.URLEnv + ")"
	}
	if c.RoutingKeyEnv != "" {
		return c.Kind + " ($" + c.RoutingKeyEnv + ")"
	}
	return c.Kind
}

// Check says what is wrong with a channel's settings.
func (c Channel) Check() error {
	switch c.Kind {
	case Slack, Teams, Webhook:
		if c.URLEnv == "" {
			return fmt.Errorf("kind %s needs url_env: the environment variable holding the webhook URL", c.Kind)
		}
	case PagerDuty:
		if c.RoutingKeyEnv == "" {
			return errors.New("kind pagerduty needs routing_key_env: the environment variable holding the integration's routing key")
		}
	default:
		return fmt.Errorf("kind %q must be one of %s", c.Kind, strings.Join(Kinds, ", "))
	}
	return nil
}

// Env are the variables a channel reads: secrets, for the redactor.
func (c Channel) Env() []string {
	var out []string
	for _, e := range []string{c.URLEnv, c.RoutingKeyEnv} {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// Event is what every notification says about a run.
type Event struct {
	Service  string    `json:"service"`
	Version  string    `json:"version"` // the image the run built
	Commit   string    `json:"commit,omitempty"`
	RunID    string    `json:"run_id"`
	Outcome  string    `json:"outcome"` // success | partial | failed
	ExitCode int       `json:"exit_code"`
	Reason   string    `json:"reason,omitempty"` // the first failure, one line
	Release  string    `json:"release"`          // promoted | rolled_back | inconclusive | not_attempted | ...
	Rollback string    `json:"rollback_status"`  // rolled_back | not_needed | not_attempted
	Awaiting []string  `json:"awaiting_approval,omitempty"`
	Report   string    `json:"report"` // where the report is: a path or a URL
	At       time.Time `json:"at"`
}

// failing is an event PagerDuty hears about: a failed run or a rollback.
func (e Event) failing() bool { return e.Outcome == "failed" || e.Rollback == "rolled_back" }

// Delivery is what became of one channel's notification.
type Delivery struct {
	Channel  string  `json:"channel"`
	Kind     string  `json:"kind"`
	Sent     bool    `json:"sent"`
	Skipped  string  `json:"skipped,omitempty"` // why nothing was sent
	Attempts int     `json:"attempts"`
	Status   int     `json:"status,omitempty"` // the last HTTP status
	Error    string  `json:"error,omitempty"`
	Seconds  float64 `json:"seconds"`
}

// Sender delivers notifications.
type Sender struct {
	Client    *http.Client
	Getenv    func(string) string
	Attempts  int           // per channel, at least 1
	BaseDelay time.Duration // doubled after each failed attempt
	MaxDelay  time.Duration // bounds a delay, Retry-After included
	Timeout   time.Duration // per attempt: a hanging endpoint costs this
	Now       func() time.Time
}

// Send notifies every channel and says what became of each. It never
// fails: an endpoint that refuses, hangs or is missing is a Delivery with
// an error.
func (s Sender) Send(ctx context.Context, channels []Channel, ev Event) []Delivery {
	out := make([]Delivery, 0, len(channels))
	for _, c := range channels {
		out = append(out, s.one(ctx, c, ev))
	}
	return out
}

func (s Sender) one(ctx context.Context, c Channel, ev Event) Delivery {
	d := Delivery{Channel: c.Name(), Kind: c.Kind}
	start := s.Now()
	defer func() { d.Seconds = s.Now().Sub(start).Seconds() }()
	target, body, skip, err := s.message(c, ev)
	switch {
	case err != nil:
		d.Error = err.Error()
		return d
	case skip != "":
		d.Skipped = skip
		return d
	}
	delay := s.BaseDelay
	for d.Attempts = 1; ; d.Attempts++ {
		status, retryAfter, err := s.post(ctx, target, body)
		d.Status = status
		if err == nil {
			d.Sent, d.Error = true, ""
			return d
		}
		d.Error = err.Error()
		if d.Attempts >= max(1, s.Attempts) || !retryable(status) || ctx.Err() != nil {
			return d
		}
		wait := delay
		if retryAfter > 0 {
			wait = retryAfter
		}
		wait = min(wait, s.MaxDelay)
		select {
		case <-ctx.Done():
			return d
		case <-time.After(wait):
		}
		delay = min(2*delay, s.MaxDelay)
	}
}

// message is where to post and what, or why nothing is sent.
func (s Sender) message(c Channel, ev Event) (target string, body []byte, skip string, err error) {
	if err := c.Check(); err != nil {
		return "", nil, "", err
	}
	target = PagerDutyURL
	if c.URLEnv != "" {
		target = s.Getenv(c.URLEnv)
		if target == "" {
			return "", nil, fmt.Sprintf("$%s is not set", c.URLEnv), nil
		}
	}
	if u, perr := url.Parse(target); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil, "", fmt.Errorf("$%s is not an http(s) URL", c.URLEnv)
	}
	var payload any
	switch c.Kind {
	case Slack:
		payload = slackMessage(ev)
	case Teams:
		payload = teamsMessage(ev)
	case PagerDuty:
		if !ev.failing() {
			return "", nil, "PagerDuty hears of failures and rollbacks only", nil
		}
		key := s.Getenv(c.RoutingKeyEnv)
		if key == "" {
			return "", nil, fmt.Sprintf("$%s is not set", c.RoutingKeyEnv), nil
		}
		payload = pagerDutyEvent(ev, key)
	case Webhook:
		payload = ev
	}
	body, err = json.Marshal(payload)
	return target, body, "", err
}

// post sends one attempt. Its error never holds the URL.
func (s Sender) post(ctx context.Context, target string, body []byte) (status int, retryAfter time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, 0, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error prints the URL: a secret
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, 0, fmt.Errorf("no answer within %s", s.Timeout)
		}
		var oe *net.OpError
		if errors.As(err, &oe) {
			return 0, 0, fmt.Errorf("cannot reach the endpoint: %v", oe.Err) // without its address
		}
		return 0, 0, errors.New("cannot reach the endpoint")
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, 0, nil
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		retryAfter = time.Duration(secs) * time.Second
	}
	return resp.StatusCode, retryAfter, fmt.Errorf("answered %d %s", resp.StatusCode, strings.TrimSpace(string(snippet)))
}

// retryable: no answer, throttled, or a server error.
func retryable(status int) bool { return status == 0 || status == 429 || status >= 500 }
