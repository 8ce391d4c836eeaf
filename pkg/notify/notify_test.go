package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a loopback endpoint that records what it was sent and
// answers with the statuses given, in turn (the last one after that).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	statuses []int
	hang     bool
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		n := len(r.bodies)
		r.mu.Unlock()
		if req.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(415)
			return
		}
		if r.hang {
			<-req.Context().Done()
			return
		}
		st := 200
		if len(r.statuses) > 0 {
			st = r.statuses[min(n, len(r.statuses))-1]
		}
		if st == 429 {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) last(t *testing.T) map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		t.Fatal("nothing received")
	}
	var m map[string]any
	if err := json.Unmarshal(r.bodies[len(r.bodies)-1], &m); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return m
}

func sender(env map[string]string) Sender {
	return Sender{Client: http.DefaultClient, Getenv: func(k string) string { return env[k] }, Attempts: 3,
		BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond, Timeout: 300 * time.Millisecond, Now: time.Now}
}

var rolledBack = Event{Service: "deploy-notifier", Version: "deploy-notifier:run7", Commit: "9f1c2ab", RunID: "run7", Outcome: "success",
	Release: "rolled_back", Rollback: "rolled_back", Reason: "canary error rate 0.04 > 0.005", Report: "artifacts/run7/report.html",
	At: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}

// at walks a decoded JSON document: keys for objects, indexes for arrays.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no element %d", path, k)
			}
			v = a[k]
		}
	}
	return v
}

func TestEachFormatArrivesFieldByField(t *testing.T) {
	slack, teams, pd, hook := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	env := map[string]string{"SLACK_URL": slack.URL + "/services/T0/B0/x", "TEAMS_URL": teams.URL + "/workflows/1", "PD_URL": pd.URL + "/v2/enqueue",
		"PD_KEY": "R0UTINGKEY0123456789", "HOOK_URL": hook.URL + "/hook"}
	chans := []Channel{{Kind: Slack, URLEnv: "SLACK_URL"}, {Kind: Teams, URLEnv: "TEAMS_URL"},
		{Kind: PagerDuty, URLEnv: "PD_URL", RoutingKeyEnv: "PD_KEY"}, {Kind: Webhook, URLEnv: "HOOK_URL"}}
	ds := sender(env).Send(context.Background(), chans, rolledBack)
	for _, d := range ds {
		if !d.Sent || d.Attempts != 1 || d.Status != 200 {
			t.Errorf("%s: %+v", d.Channel, d)
		}
	}

	s := slack.last(t)
	if got := at(t, s, "text"); got != "deploy-notifier deploy-notifier:run7: run run7 succeeded; rolled back" {
		t.Errorf("slack text: %v", got)
	}
	if at(t, s, "blocks", 0, "type") != "header" || at(t, s, "blocks", 0, "text", "type") != "plain_text" {
		t.Errorf("slack header block: %v", at(t, s, "blocks", 0))
	}
	if got := at(t, s, "blocks", 1, "fields", 5, "text"); got != "*Rollback*\nrolled_back" {
		t.Errorf("slack rollback field: %v", got)
	}
	if got := at(t, s, "blocks", 2, "elements", 0, "text"); got != "report: artifacts/run7/report.html" {
		t.Errorf("slack context: %v", got)
	}

	tm := teams.last(t)
	if at(t, tm, "type") != "message" || at(t, tm, "attachments", 0, "contentType") != "application/vnd.microsoft.card.adaptive" {
		t.Errorf("teams envelope: %v", tm)
	}
	card := at(t, tm, "attachments", 0, "content")
	if at(t, card, "type") != "AdaptiveCard" || at(t, card, "version") != "1.4" || at(t, card, "body", 0, "color") != "Attention" {
		t.Errorf("teams card: %v", card)
	}
	if at(t, card, "body", 1, "facts", 2, "title") != "Commit" || at(t, card, "body", 1, "facts", 2, "value") != "9f1c2ab" {
		t.Errorf("teams commit fact: %v", at(t, card, "body", 1, "facts", 2))
	}

	p := pd.last(t)
	if at(t, p, "routing_key") != "R0UTINGKEY0123456789" || at(t, p, "event_action") != "trigger" || at(t, p, "dedup_key") != "orchestrate/deploy-notifier/deploy-notifier:run7" {
		t.Errorf("pagerduty envelope: %v", p)
	}
	if at(t, p, "payload", "severity") != "warning" || at(t, p, "payload", "source") != "orchestrate" ||
		at(t, p, "payload", "timestamp") != "2026-11-21T12:00:00Z" || at(t, p, "payload", "custom_details", "why") != rolledBack.Reason {
		t.Errorf("pagerduty payload: %v", at(t, p, "payload"))
	}

	h := hook.last(t)
	if at(t, h, "service") != "deploy-notifier" || at(t, h, "rollback_status") != "rolled_back" || at(t, h, "exit_code") != float64(0) || at(t, h, "run_id") != "run7" {
		t.Errorf("webhook: %v", h)
	}
}

func TestPagerDutyHearsOfFailuresOnly(t *testing.T) {
	pd := newReceiver(t)
	env := map[string]string{"PD_URL": pd.URL, "PD_KEY": "R0UTINGKEY0123456789"}
	ok := rolledBack
	ok.Rollback, ok.Release = "not_needed", "promoted"
	d := sender(env).Send(context.Background(), []Channel{{Kind: PagerDuty, URLEnv: "PD_URL", RoutingKeyEnv: "PD_KEY"}}, ok)[0]
	if d.Sent || d.Skipped == "" || len(pd.bodies) != 0 {
		t.Errorf("a promoted success paged: %+v", d)
	}
	failed := ok
	failed.Outcome = "failed"
	d = sender(env).Send(context.Background(), []Channel{{Kind: PagerDuty, URLEnv: "PD_URL", RoutingKeyEnv: "PD_KEY"}}, failed)[0]
	if !d.Sent || at(t, pd.last(t), "payload", "severity") != "error" {
		t.Errorf("a failed run did not page with severity error: %+v", d)
	}
}

func TestDeliveryRetriesAndNeverLeaksTheURL(t *testing.T) {
	throttled := newReceiver(t, 429, 200)
	broken := newReceiver(t, 500)
	hanging := newReceiver(t)
	hanging.hang = true
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/secret-path-0123456789"
	refused.Close()
	env := map[string]string{"A": throttled.URL + "/secret-path-0123456789", "B": broken.URL + "/secret-path-0123456789",
		"C": hanging.URL + "/secret-path-0123456789", "D": refusedURL}
	chans := []Channel{{Kind: Webhook, URLEnv: "A"}, {Kind: Webhook, URLEnv: "B"}, {Kind: Webhook, URLEnv: "C"}, {Kind: Webhook, URLEnv: "D"}, {Kind: Slack, URLEnv: "UNSET"}}
	ds := sender(env).Send(context.Background(), chans, rolledBack)
	if d := ds[0]; !d.Sent || d.Attempts != 2 {
		t.Errorf("429 then 200: %+v", d)
	}
	if d := ds[1]; d.Sent || d.Attempts != 3 || d.Status != 500 {
		t.Errorf("always 500: %+v", d)
	}
	if d := ds[2]; d.Sent || d.Attempts != 3 || !strings.Contains(d.Error, "no answer within") {
		t.Errorf("hanging: %+v", d)
	}
	if d := ds[3]; d.Sent || d.Error == "" {
		t.Errorf("refused: %+v", d)
	}
	if d := ds[4]; d.Sent || d.Skipped != "$UNSET is not set" {
		t.Errorf("unset: %+v", d)
	}
	for _, d := range ds {
		b, _ := json.Marshal(d)
		if strings.Contains(string(b), "secret-path") || strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("a delivery shows the URL: %s", b)
		}
	}
}

func TestChannelChecks(t *testing.T) {
	for _, c := range []struct {
		ch Channel
		ok bool
	}{
		{Channel{Kind: Slack, URLEnv: "X"}, true},
		{Channel{Kind: Slack}, false},
		{Channel{Kind: PagerDuty, RoutingKeyEnv: "K"}, true},
		{Channel{Kind: PagerDuty, URLEnv: "X"}, false},
		{Channel{Kind: "email", URLEnv: "X"}, false},
	} {
		if err := c.ch.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.ch, err)
		}
	}
}
