package notify

import (
	"fmt"
	"strings"
)

// headline is the one line every format leads with.
func headline(ev Event) string {
	word := map[string]string{"success": "succeeded", "partial": "partly succeeded", "failed": "FAILED"}[ev.Outcome]
	if word == "" {
		word = ev.Outcome
	}
	h := fmt.Sprintf("%s %s: run %s %s", ev.Service, ev.Version, ev.RunID, word)
	if ev.Rollback == "rolled_back" {
		h += "; rolled back"
	}
	return h
}

// facts are the fields every format shows, in order.
func facts(ev Event) [][2]string {
	f := [][2]string{
		{"Service", ev.Service},
		{"Version", ev.Version},
		{"Commit", orDash(ev.Commit)},
		{"Outcome", fmt.Sprintf("%s (exit %d)", ev.Outcome, ev.ExitCode)},
		{"Release", orDash(ev.Release)},
		{"Rollback", orDash(ev.Rollback)},
	}
	if ev.Reason != "" {
		f = append(f, [2]string{"Why", ev.Reason})
	}
	if len(ev.Awaiting) > 0 {
		f = append(f, [2]string{"Waiting for a human", strings.Join(ev.Awaiting, "; ")})
	}
	return append(f, [2]string{"Report", ev.Report})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// slackMessage is a Block Kit message for an incoming webhook: a header,
// the facts as fields, the report in a context block; text is the
// notification's fallback.
func slackMessage(ev Event) map[string]any {
	var fields []map[string]any
	for _, f := range facts(ev) {
		if f[0] == "Report" {
			continue
		}
		fields = append(fields, map[string]any{"type": "mrkdwn", "text": "*" + f[0] + "*\n" + f[1]})
	}
	return map[string]any{
		"text": headline(ev),
		"blocks": []map[string]any{
			{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(headline(ev), 150)}},
			{"type": "section", "fields": fields},
			{"type": "context", "elements": []map[string]any{{"type": "mrkdwn", "text": "report: " + ev.Report}}},
		},
	}
}

// teamsMessage is what a Teams workflow webhook ("Post to a channel when a
// webhook request is received") takes: a message with one Adaptive Card.
func teamsMessage(ev Event) map[string]any {
	var fs []map[string]string
	for _, f := range facts(ev) {
		fs = append(fs, map[string]string{"title": f[0], "value": f[1]})
	}
	color := "Good"
	if ev.Outcome != "success" || ev.Rollback == "rolled_back" {
		color = "Attention"
	}
	return map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body": []map[string]any{
					{"type": "TextBlock", "text": headline(ev), "weight": "Bolder", "size": "Medium", "wrap": true, "color": color},
					{"type": "FactSet", "facts": fs},
				},
			},
		}},
	}
}

// pagerDutyEvent is an Events API v2 trigger. The dedup key groups the
// alerts of one service and version.
func pagerDutyEvent(ev Event, routingKey string) map[string]any {
	details := map[string]string{}
	for _, f := range facts(ev) {
		details[strings.ToLower(strings.ReplaceAll(f[0], " ", "_"))] = f[1]
	}
	severity := "error"
	if ev.Outcome != "failed" {
		severity = "warning" // a rollback: the stable release still serves
	}
	return map[string]any{
		"routing_key":  routingKey,
		"event_action": "trigger",
		"dedup_key":    "orchestrate/" + ev.Service + "/" + ev.Version,
		"payload": map[string]any{
			"summary":        truncate(headline(ev), 1024),
			"source":         "orchestrate",
			"severity":       severity,
			"component":      ev.Service,
			"timestamp":      ev.At.UTC().Format("2006-01-02T15:04:05Z"),
			"custom_details": details,
		},
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
