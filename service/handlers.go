package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// maxBody bounds the size of a deploy event.
const maxBody = 1 << 20

// route is one team's channels, as NOTIFY_ROUTES gives them.
type route struct {
	Slack     string `json:"slack,omitempty"`
	Teams     string `json:"teams,omitempty"`
	PagerDuty string `json:"pagerduty,omitempty"`
}

// parseRoutes reads the routing rules: a JSON object mapping a team name
// to its channels.
func parseRoutes(raw string) (map[string]route, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("NOTIFY_ROUTES is not set: set it to a JSON object mapping each team to its channels")
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var routes map[string]route
	if err := dec.Decode(&routes); err != nil {
		return nil, fmt.Errorf("NOTIFY_ROUTES is not valid routing JSON: %w", err)
	}
	return routes, nil
}

// registerRoutes wires the deploy-event endpoint, with the routing rules
// read from the environment once at start-up.
func registerRoutes(mux *http.ServeMux, logger *slog.Logger) error {
	routes, err := parseRoutes(os.Getenv("NOTIFY_ROUTES"))
	if err != nil {
		return err
	}
	mux.Handle("POST /v1/deploy-events", &deployHandler{routes: routes, logger: logger})
	return nil
}

// deployEvent is the request body.
type deployEvent struct {
	Service        string `json:"service"`
	Environment    string `json:"environment"`
	Status         string `json:"status"`
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	TriggeredBy    string `json:"triggered_by"`
	PipelineURL    string `json:"pipeline_url"`
	Team           string `json:"team"`
	RollbackStatus string `json:"rollback_status"`
}

type channel struct {
	Type   string `json:"type"`
	Target string `json:"target"`
}

// routed is the 202 answer.
type routed struct {
	EventID  string    `json:"event_id"`
	Team     string    `json:"team"`
	Status   string    `json:"status"`
	Channels []channel `json:"channels"`
	Message  string    `json:"message"`
}

// apiError is the 400 answer.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

type deployHandler struct {
	routes map[string]route
	logger *slog.Logger
}

func (h *deployHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, bad := decodeEvent(r.Body)
	if bad == nil {
		bad = validate(ev)
	}
	var channels []channel
	if bad == nil {
		var ok bool
		if channels, ok = channelsFor(h.routes, ev); !ok {
			bad = &apiError{Error: fmt.Sprintf("no route for team %q and no default route", ev.Team), Field: "team"}
		}
	}
	if bad != nil {
		h.logger.Info("deploy event rejected", "field", bad.Field, "error", bad.Error)
		writeJSON(w, http.StatusBadRequest, bad)
		return
	}
	out := routed{EventID: eventID(ev), Team: ev.Team, Status: ev.Status, Channels: channels, Message: message(ev)}
	h.logger.Info("deploy event routed", "event_id", out.EventID, "team", ev.Team, "status", ev.Status, "channels", len(channels))
	writeJSON(w, http.StatusAccepted, out)
}

// decodeEvent reads one JSON object with no unknown fields.
func decodeEvent(body io.Reader) (deployEvent, *apiError) {
	var ev deployEvent
	b, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err != nil {
		return ev, &apiError{Error: "could not read the body: " + err.Error(), Field: "body"}
	}
	if len(b) > maxBody {
		return ev, &apiError{Error: "the body is larger than 1 MiB", Field: "body"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return ev, &apiError{Error: fmt.Sprintf("%s must be a string", typeErr.Field), Field: typeErr.Field}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return ev, &apiError{Error: fmt.Sprintf("unknown field %q", field), Field: field}
		}
		return ev, &apiError{Error: "the body is not a JSON deploy event: " + err.Error(), Field: "body"}
	}
	if dec.More() {
		return ev, &apiError{Error: "the body holds more than one JSON value", Field: "body"}
	}
	return ev, nil
}

var rollbackStatuses = map[string]bool{"rolled_back": true, "rollback_failed": true, "not_attempted": true}

// validate reports the first invalid field, in the order of the spec.
func validate(ev deployEvent) *apiError {
	required := []struct{ field, value string }{
		{"service", ev.Service}, {"environment", ev.Environment}, {"status", ev.Status},
		{"version", ev.Version}, {"commit", ev.Commit}, {"triggered_by", ev.TriggeredBy},
		{"pipeline_url", ev.PipelineURL}, {"team", ev.Team},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return &apiError{Error: r.field + " is required", Field: r.field}
		}
		var msg string
		switch r.field {
		case "status":
			if r.value != "succeeded" && r.value != "failed" {
				msg = fmt.Sprintf("status must be \"succeeded\" or \"failed\", not %q", r.value)
			}
		case "commit":
			if !isHex(r.value) || len(r.value) < 7 {
				msg = "commit must be a hex commit id of at least 7 characters"
			}
		case "pipeline_url":
			if u, err := url.Parse(r.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				msg = "pipeline_url must be an http or https URL"
			}
		}
		if msg != "" {
			return &apiError{Error: msg, Field: r.field}
		}
	}
	if ev.Status == "failed" && !rollbackStatuses[ev.RollbackStatus] {
		return &apiError{Error: "rollback_status is required for a failed deploy: one of rolled_back, rollback_failed, not_attempted", Field: "rollback_status"}
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// channelsFor picks the team's route, or the default one, and lists its
// channels in the order slack, teams, pagerduty; PagerDuty only hears
// about failures.
func channelsFor(routes map[string]route, ev deployEvent) ([]channel, bool) {
	rt, ok := routes[ev.Team]
	if !ok {
		if rt, ok = routes["default"]; !ok {
			return nil, false
		}
	}
	out := []channel{}
	if rt.Slack != "" {
		out = append(out, channel{Type: "slack", Target: rt.Slack})
	}
	if rt.Teams != "" {
		out = append(out, channel{Type: "teams", Target: rt.Teams})
	}
	if rt.PagerDuty != "" && ev.Status == "failed" {
		out = append(out, channel{Type: "pagerduty", Target: rt.PagerDuty})
	}
	return out, true
}

// eventID is stable: the same event always gets the same id.
func eventID(ev deployEvent) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{ev.Service, ev.Environment, ev.Version, ev.Commit, ev.Status}, "|")))
	return "evt-" + hex.EncodeToString(sum[:])[:12]
}

// message is the one text every channel gets.
func message(ev deployEvent) string {
	short := ev.Commit[:7]
	if ev.Status == "failed" {
		return fmt.Sprintf("%s %s FAILED on %s (commit %s, triggered by %s); rollback: %s; logs: %s",
			ev.Service, ev.Version, ev.Environment, short, ev.TriggeredBy, ev.RollbackStatus, ev.PipelineURL)
	}
	return fmt.Sprintf("%s %s deployed to %s by %s (commit %s)", ev.Service, ev.Version, ev.Environment, ev.TriggeredBy, short)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
