package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func compareTestServe(t *testing.T, method, target, body string) (int, map[string]any) {
	t.Helper()
	t.Setenv("FUEL_SURCHARGE_PERCENT", "")
	t.Setenv("FREE_SHIPPING_MIN_ORDER_CENTS", "")
	mux := http.NewServeMux()
	if err := registerRoutes(mux, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("registerRoutes: %v", err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not a JSON object: %v (%q)", err, rec.Body.String())
	}
	return rec.Code, m
}

// compareTestQuotes renders the quotes as "carrier:total:days,...".
func compareTestQuotes(m map[string]any) string {
	list, _ := m["quotes"].([]any)
	var parts []string
	for _, item := range list {
		q, _ := item.(map[string]any)
		parts = append(parts, fmt.Sprintf("%v:%v:%v", q["carrier"], q["total_cents"], q["transit_days"]))
	}
	return strings.Join(parts, ",")
}

func TestCompareListsServingCarriersRankedByTotalFirst(t *testing.T) {
	for _, c := range []struct{ country, zone, cheapest, quotes string }{
		{"US", "world", "globex", "globex:2770:6,swift:2940:5"},
		{"SE", "eu-far", "parcelo", "parcelo:1450:4,swift:1510:3,globex:1570:3"},
	} {
		body := `{"destination_country":"` + c.country + `","weight_kg":1,"length_cm":10,"width_cm":10,"height_cm":10}`
		code, m := compareTestServe(t, http.MethodPost, "/v1/compare", body)
		if code != http.StatusOK || m["zone"] != c.zone || m["cheapest"] != c.cheapest || compareTestQuotes(m) != c.quotes {
			t.Errorf("%s: status %d %v, want zone %s, cheapest %s, quotes %s", c.country, code, m, c.zone, c.cheapest, c.quotes)
		}
	}
}

func TestZonesLookupOfWorldCountryListsServingCarriers(t *testing.T) {
	code, m := compareTestServe(t, http.MethodGet, "/v1/zones?country=US", "")
	if code != http.StatusOK || m["country"] != "US" || m["zone"] != "world" || fmt.Sprint(m["carriers"]) != "[globex swift]" {
		t.Errorf("status %d %v, want 200 US world [globex swift]", code, m)
	}
}

func TestZonesLookupRejectsMalformedCountry(t *testing.T) {
	for _, c := range []string{"pt", "PRT", "P1"} {
		code, m := compareTestServe(t, http.MethodGet, "/v1/zones?country="+c, "")
		if code != http.StatusBadRequest || m["field"] != "country" {
			t.Errorf("country %q: status %d %v, want 400 with field country", c, code, m)
		}
	}
}
