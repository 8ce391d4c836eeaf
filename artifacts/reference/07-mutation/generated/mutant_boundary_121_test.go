package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestDeployEventAcceptsBodyOfExactlyMaxBody(t *testing.T) {
	mux := newMux(t, testRoutes)
	body := encode(t, validEvent())
	if len(body) >= maxBody {
		t.Fatalf("event too large for padding: %d", len(body))
	}
	body += strings.Repeat(" ", maxBody-len(body))
	if len(body) != maxBody {
		t.Fatalf("body length = %d, want %d", len(body), maxBody)
	}
	code, out := post(t, mux, body)
	if code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202 for a body of exactly 1 MiB; answer %v", code, out)
	}
	if out["team"] != "payments" {
		t.Errorf("team = %v, want payments", out["team"])
	}

	code, out = post(t, mux, body+" ")
	if code != http.StatusBadRequest || out["field"] != "body" {
		t.Errorf("body of 1 MiB + 1: status %d field %v, want 400 body", code, out["field"])
	}
}
