package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const testPolicy = `{"limits":{"meals":6000,"lodging":25000,"taxi":8000},"receipt_over":7500,"per_attendee":["meals"]}`
const testRates = `{"EUR":1,"USD":0.92,"GBP":1.17}`

func newTestMux(t *testing.T) *http.ServeMux {
	t.Helper()
	t.Setenv("EXPENSE_POLICY", testPolicy)
	t.Setenv("FX_RATES", testRates)
	mux := http.NewServeMux()
	if err := registerRoutes(mux, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("registerRoutes: %v", err)
	}
	return mux
}

func call(t *testing.T, mux *http.ServeMux, method, target, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body.String())
	}
	return rec.Code, out
}

func claimJSON(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	c := map[string]any{"employee": "e-1", "category": "taxi", "amount_cents": 3000, "currency": "EUR",
		"date": "2026-03-04", "submitted": "2026-03-06"}
	if edit != nil {
		edit(c)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheckReportsTheFirstInvalidField(t *testing.T) {
	mux := newTestMux(t)
	cases := map[string]struct {
		edit  func(map[string]any)
		field string
	}{
		"no employee":       {func(c map[string]any) { delete(c, "employee") }, "employee"},
		"zero amount":       {func(c map[string]any) { c["amount_cents"] = 0 }, "amount_cents"},
		"unknown currency":  {func(c map[string]any) { c["currency"] = "JPY" }, "currency"},
		"bad date":          {func(c map[string]any) { c["date"] = "04/03/2026" }, "date"},
		"no attendees":      {func(c map[string]any) { c["attendees"] = 0 }, "attendees"},
		"amount as string":  {func(c map[string]any) { c["amount_cents"] = "12" }, "amount_cents"},
		"unknown last":      {func(c map[string]any) { c["colour"] = "red" }, "body"},
		"listed before new": {func(c map[string]any) { c["colour"] = "red"; c["currency"] = "JPY" }, "currency"},
	}
	for name, c := range cases {
		code, out := call(t, mux, "POST", "/v1/claims/check", claimJSON(t, c.edit))
		if code != http.StatusUnprocessableEntity || out["field"] != c.field {
			t.Errorf("%s: %d %v, want 422 field %s", name, code, out, c.field)
		}
		if msg, _ := out["error"].(string); msg == "" {
			t.Errorf("%s: no error message", name)
		}
	}
}

func TestCheckDecisions(t *testing.T) {
	mux := newTestMux(t)
	cases := map[string]struct {
		edit     func(map[string]any)
		decision string
		reasons  []any
		reimb    float64
	}{
		"future date":      {func(c map[string]any) { c["date"] = "2026-03-07" }, "rejected", []any{"future_date", "weekend"}, 0},
		"unknown category": {func(c map[string]any) { c["category"] = "yachts" }, "rejected", []any{"unknown_category"}, 0},
		"no receipt":       {func(c map[string]any) { c["category"], c["amount_cents"] = "lodging", 8000 }, "needs_review", []any{"missing_receipt"}, 8000},
		"capped":           {func(c map[string]any) { c["amount_cents"], c["receipt_id"] = 9000, "r-1" }, "needs_review", []any{"over_limit"}, 8000},
		"exactly 90 days":  {func(c map[string]any) { c["date"] = "2025-12-06" }, "needs_review", []any{"weekend"}, 3000},
	}
	for name, c := range cases {
		code, out := call(t, mux, "POST", "/v1/claims/check", claimJSON(t, c.edit))
		if code != http.StatusOK || out["decision"] != c.decision || !reflect.DeepEqual(out["reasons"], c.reasons) || out["reimbursable_cents"] != c.reimb {
			t.Errorf("%s: %d %v, want %s %v %v", name, code, out, c.decision, c.reasons, c.reimb)
		}
	}
}

func TestCurrencyConversionRoundsHalfUp(t *testing.T) {
	mux := newTestMux(t)
	_, out := call(t, mux, "POST", "/v1/claims/check", claimJSON(t, func(c map[string]any) { c["currency"], c["amount_cents"] = "USD", 125 }))
	if out["amount_eur_cents"] != float64(115) {
		t.Errorf("125 USD cents = %v EUR cents, want 115", out["amount_eur_cents"])
	}
}

func TestLimits(t *testing.T) {
	mux := newTestMux(t)
	code, out := call(t, mux, "GET", "/v1/limits?category=taxi&attendees=3", "")
	if code != 200 || out["limit_eur_cents"] != float64(8000) || out["per_attendee"] != false {
		t.Errorf("taxi for 3: %d %v", code, out)
	}
	for _, target := range []string{"/v1/limits", "/v1/limits?category=meals&attendees=0", "/v1/limits?category=meals&attendees=x"} {
		if code, _ := call(t, mux, "GET", target, ""); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", target, code)
		}
	}
}

func TestSummary(t *testing.T) {
	mux := newTestMux(t)
	body := `{"claims":[` + claimJSON(t, nil) + `,` + claimJSON(t, func(c map[string]any) { c["category"] = "lodging" }) + `]}`
	code, out := call(t, mux, "POST", "/v1/claims/summary", body)
	want := []any{map[string]any{"category": "lodging", "reimbursable_cents": float64(3000)}, map[string]any{"category": "taxi", "reimbursable_cents": float64(3000)}}
	if code != 200 || out["count"] != float64(2) || !reflect.DeepEqual(out["by_category"], want) {
		t.Errorf("summary: %d %v", code, out)
	}
	bad := `{"claims":[` + claimJSON(t, nil) + `,` + claimJSON(t, func(c map[string]any) { c["currency"] = "JPY" }) + `]}`
	if code, out := call(t, mux, "POST", "/v1/claims/summary", bad); code != 422 || out["field"] != "claims[1].currency" {
		t.Errorf("invalid second claim: %d %v", code, out)
	}
}

func TestRegisterRoutesRejectsABadPolicy(t *testing.T) {
	t.Setenv("EXPENSE_POLICY", `{"limits":`)
	t.Setenv("FX_RATES", testRates)
	if err := registerRoutes(http.NewServeMux(), slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Error("a policy that is not JSON was accepted")
	}
}
