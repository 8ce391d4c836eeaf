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

func slaLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func slaMux(t *testing.T, tiers string) *http.ServeMux {
	t.Helper()
	t.Setenv("SLA_TIERS", tiers)
	mux := http.NewServeMux()
	if err := registerRoutes(mux, slaLogger()); err != nil {
		t.Fatalf("registerRoutes: %v", err)
	}
	return mux
}

func slaDo(t *testing.T, mux *http.ServeMux, method, target, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: answer %q is not a JSON object: %v", method, target, rec.Body.String(), err)
	}
	return rec.Code, out
}

func slaWantField(t *testing.T, code int, out map[string]any, field string) {
	t.Helper()
	if code != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400 (%v)", code, out)
	}
	if out["field"] != field {
		t.Errorf("field = %v, want %q (%v)", out["field"], field, out)
	}
	if msg, _ := out["error"].(string); msg == "" {
		t.Errorf("error message is empty: %v", out)
	}
}

// slaWantOK checks a 200 answer and the given keys (ints compare as JSON numbers).
func slaWantOK(t *testing.T, code int, out map[string]any, want map[string]any) {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("status = %d, want 200 (%v)", code, out)
	}
	for k, v := range want {
		if n, isInt := v.(int); isInt {
			v = float64(n)
		}
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
}
