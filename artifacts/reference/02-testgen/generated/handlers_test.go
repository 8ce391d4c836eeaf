package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const testRoutes = `{"payments":{"slack":"#payments-deploys","pagerduty":"payments-oncall"},"web":{"teams":"Web Deploys"},"ops":{"slack":"#ops","teams":"Ops","pagerduty":"ops-oncall"},"default":{"slack":"#deploys"}}`

// newMux builds the service's routes with the given NOTIFY_ROUTES.
func newMux(t *testing.T, routes string) *http.ServeMux {
	t.Helper()
	t.Setenv("NOTIFY_ROUTES", routes)
	mux := http.NewServeMux()
	if err := registerRoutes(mux, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("registerRoutes: %v", err)
	}
	return mux
}

func validEvent() map[string]any {
	return map[string]any{
		"service": "payments-api", "environment": "production", "status": "succeeded",
		"version": "v1.4.2", "commit": "9f1c2ab7e4d35c0b", "triggered_by": "alice",
		"pipeline_url": "https://ci.example.com/pipelines/812", "team": "payments",
	}
}

// post sends body to the deploy-event endpoint and decodes the JSON answer.
func post(t *testing.T, mux *http.ServeMux, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/deploy-events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body.String())
	}
	return rec.Code, out
}

func encode(t *testing.T, ev map[string]any) string {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeployEventRejectsInvalidFields(t *testing.T) {
	mux := newMux(t, testRoutes)
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"empty environment", func(e map[string]any) { e["environment"] = "" }, "environment"},
		{"blank version", func(e map[string]any) { e["version"] = "   " }, "version"},
		{"missing triggered_by", func(e map[string]any) { delete(e, "triggered_by") }, "triggered_by"},
		{"missing team", func(e map[string]any) { delete(e, "team") }, "team"},
		{"short commit", func(e map[string]any) { e["commit"] = "9f1c2a" }, "commit"},
		{"non-hex commit", func(e map[string]any) { e["commit"] = "zzzzzzzz" }, "commit"},
		{"ftp pipeline url", func(e map[string]any) { e["pipeline_url"] = "ftp://ci.example.com/1" }, "pipeline_url"},
		{"pipeline url without host", func(e map[string]any) { e["pipeline_url"] = "https://" }, "pipeline_url"},
		{"unknown rollback status on failure", func(e map[string]any) {
			e["status"] = "failed"
			e["rollback_status"] = "maybe"
		}, "rollback_status"},
		{"unknown field", func(e map[string]any) { e["priority"] = "high" }, "priority"},
		{"number instead of string", func(e map[string]any) { e["version"] = 3 }, "version"},
		{"first invalid field wins", func(e map[string]any) {
			e["commit"] = "x"
			e["environment"] = ""
		}, "environment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := validEvent()
			c.edit(ev)
			code, out := post(t, mux, encode(t, ev))
			if code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; answer %v", code, out)
			}
			if out["field"] != c.field {
				t.Errorf("field = %v, want %q", out["field"], c.field)
			}
			if msg, _ := out["error"].(string); msg == "" {
				t.Errorf("error message is empty: %v", out)
			}
		})
	}
}

func TestDeployEventRejectsBodiesThatAreNotOneJSONObject(t *testing.T) {
	mux := newMux(t, testRoutes)
	for _, body := range []string{"", "not json", "[1,2]", encode(t, validEvent()) + " {}"} {
		code, out := post(t, mux, body)
		if code != http.StatusBadRequest || out["field"] != "body" {
			t.Errorf("body %q: status %d field %v, want 400 body", body, code, out["field"])
		}
	}
}

func TestDeployEventIgnoresRollbackStatusOnSuccess(t *testing.T) {
	mux := newMux(t, testRoutes)
	ev := validEvent()
	ev["rollback_status"] = "not-a-status"
	code, out := post(t, mux, encode(t, ev))
	if code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; answer %v", code, out)
	}
	if msg, _ := out["message"].(string); strings.Contains(msg, "rollback") {
		t.Errorf("message of a successful deploy mentions the rollback: %q", msg)
	}
}

func TestDeployEventChannelOrderAndPagerDutyOnlyOnFailure(t *testing.T) {
	mux := newMux(t, testRoutes)
	ev := validEvent()
	ev["team"] = "ops"
	_, out := post(t, mux, encode(t, ev))
	if got := channelTypes(out); got != "slack,teams" {
		t.Errorf("succeeded: channels %s, want slack,teams", got)
	}
	ev["status"] = "failed"
	ev["rollback_status"] = "rollback_failed"
	code, out := post(t, mux, encode(t, ev))
	if code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; answer %v", code, out)
	}
	if got := channelTypes(out); got != "slack,teams,pagerduty" {
		t.Errorf("failed: channels %s, want slack,teams,pagerduty", got)
	}
}

func channelTypes(out map[string]any) string {
	chans, _ := out["channels"].([]any)
	var types []string
	for _, c := range chans {
		m, _ := c.(map[string]any)
		types = append(types, m["type"].(string))
	}
	return strings.Join(types, ",")
}

func TestDeployEventWithoutDefaultRouteRejectsUnknownTeam(t *testing.T) {
	mux := newMux(t, `{"payments":{"slack":"#payments-deploys"}}`)
	ev := validEvent()
	ev["team"] = "data"
	code, out := post(t, mux, encode(t, ev))
	if code != http.StatusBadRequest || out["field"] != "team" {
		t.Errorf("status %d field %v, want 400 team", code, out["field"])
	}
}

func TestDeployEventFailedMessageAndStableID(t *testing.T) {
	mux := newMux(t, testRoutes)
	ev := validEvent()
	ev["status"], ev["rollback_status"], ev["version"], ev["triggered_by"] = "failed", "not_attempted", "v2", "bob"
	_, first := post(t, mux, encode(t, ev))
	_, second := post(t, mux, encode(t, ev))
	want := "payments-api v2 FAILED on production (commit 9f1c2ab, triggered by bob); rollback: not_attempted; logs: https://ci.example.com/pipelines/812"
	if first["message"] != want {
		t.Errorf("message = %q\nwant      %q", first["message"], want)
	}
	if first["event_id"] != second["event_id"] {
		t.Errorf("the same event got two ids: %v and %v", first["event_id"], second["event_id"])
	}
	ev["version"] = "v3"
	_, third := post(t, mux, encode(t, ev))
	if third["event_id"] == first["event_id"] {
		t.Errorf("different events share the id %v", first["event_id"])
	}
}

func TestEventIDIsPrefixedTwelveHexDigits(t *testing.T) {
	id := eventID(deployEvent{Service: "s", Environment: "e", Version: "v", Commit: "abcdef1", Status: "succeeded"})
	if len(id) != len("evt-")+12 || !strings.HasPrefix(id, "evt-") || !isHex(id[4:]) {
		t.Errorf("eventID = %q, want evt- and 12 hex digits", id)
	}
}

func TestParseRoutesRejectsBadConfiguration(t *testing.T) {
	for _, raw := range []string{"", "  ", "{", `{"web":{"email":"x"}}`, `["web"]`} {
		if _, err := parseRoutes(raw); err == nil {
			t.Errorf("parseRoutes(%q) accepted it", raw)
		}
	}
	routes, err := parseRoutes(`{"web":{"teams":"Web Deploys"}}`)
	if err != nil || routes["web"].Teams != "Web Deploys" {
		t.Errorf("parseRoutes = %v, %v", routes, err)
	}
}

func TestRegisterRoutesFailsWithoutRoutes(t *testing.T) {
	t.Setenv("NOTIFY_ROUTES", "")
	if err := registerRoutes(http.NewServeMux(), slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Error("registerRoutes started without NOTIFY_ROUTES")
	}
}

func TestDeployEventOnlyAcceptsPost(t *testing.T) {
	mux := newMux(t, testRoutes)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/deploy-events", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET status = %d, want 405", rec.Code)
	}
}
