package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func quoteTestMux(t *testing.T, fuel, freeMin string) *http.ServeMux {
	t.Helper()
	t.Setenv("FUEL_SURCHARGE_PERCENT", fuel)
	t.Setenv("FREE_SHIPPING_MIN_ORDER_CENTS", freeMin)
	mux := http.NewServeMux()
	if err := registerRoutes(mux, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("registerRoutes: %v", err)
	}
	return mux
}

func postQuoteJSON(t *testing.T, mux *http.ServeMux, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/quote", strings.NewReader(body)))
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not a JSON object: %v (%q)", err, rec.Body.String())
	}
	return rec.Code, m
}

// quoteTestBody is swift, DE, 1 kg, 10x10x10 cm (subtotal 610) with the
// raw JSON values of over replacing the defaults; "-" drops a field.
func quoteTestBody(over map[string]string) string {
	vals := map[string]string{"carrier": `"swift"`, "destination_country": `"DE"`, "weight_kg": "1",
		"length_cm": "10", "width_cm": "10", "height_cm": "10"}
	maps.Copy(vals, over)
	var parts []string
	for _, k := range []string{"carrier", "destination_country", "weight_kg", "length_cm", "width_cm", "height_cm", "order_value_cents"} {
		if v, ok := vals[k]; ok && v != "-" {
			parts = append(parts, `"`+k+`":`+v)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestQuoteRoundsWeightUpToHalfKilogram(t *testing.T) {
	mux := quoteTestMux(t, "", "")
	for weight, want := range map[string]float64{"2.5": 2.5, "2.51": 3, "2.3": 2.5, "69.9": 70, "70": 70} {
		code, m := postQuoteJSON(t, mux, quoteTestBody(map[string]string{"weight_kg": weight}))
		if code != http.StatusOK || m["billable_kg"] != want || m["weight_cents"] != 120*want {
			t.Errorf("weight %s: status %d %v, want billable_kg %v, weight_cents %v", weight, code, m, want, 120*want)
		}
	}
}

func TestQuoteSurchargesApplyOnlyAboveThresholds(t *testing.T) {
	mux := quoteTestMux(t, "", "")
	cases := []struct {
		over map[string]string
		want float64
	}{
		{map[string]string{"length_cm": "100"}, 0},
		{map[string]string{"height_cm": "101"}, 1200},
		{map[string]string{"weight_kg": "31.5"}, 0},
		{map[string]string{"weight_kg": "31.6"}, 2000},
		{map[string]string{"length_cm": "101", "weight_kg": "40"}, 3200},
	}
	for _, c := range cases {
		code, m := postQuoteJSON(t, mux, quoteTestBody(c.over))
		if code != http.StatusOK || m["surcharge_cents"] != c.want {
			t.Errorf("%v: status %d %v, want surcharge_cents %v", c.over, code, m, c.want)
		}
	}
}

func TestQuoteFuelSurchargeUsesConfiguredPercent(t *testing.T) {
	cases := []struct {
		percent string
		over    map[string]string
		fuel    float64
	}{
		{"", nil, 0},
		{"12", nil, 73},   // 73.2
		{"0.25", nil, 2},  // 1.525
		{"100", nil, 610}, // the whole subtotal
		{"8.5", map[string]string{"carrier": `"parcelo"`, "weight_kg": "17.5"}, 247}, // 2900 * 8.5% = 246.5, half up
	}
	for _, c := range cases {
		mux := quoteTestMux(t, c.percent, "")
		code, m := postQuoteJSON(t, mux, quoteTestBody(c.over))
		if code != http.StatusOK || m["fuel_cents"] != c.fuel {
			t.Errorf("percent %q %v: status %d %v, want fuel_cents %v", c.percent, c.over, code, m, c.fuel)
		}
	}
}

func TestQuoteFreeShippingOnlyForDomesticOrdersAtMinimum(t *testing.T) {
	mux := quoteTestMux(t, "8.5", "15000")
	cases := []struct {
		country, order  string
		discount, total float64
	}{
		{`"DE"`, "15000", 610 + 52, 0},
		{`"DE"`, "14999", 0, 610 + 52},
		{`"DE"`, "null", 0, 610 + 52},
		{`"FR"`, "20000", 0, 1170 + 99},
	}
	for _, c := range cases {
		code, m := postQuoteJSON(t, mux, quoteTestBody(map[string]string{"destination_country": c.country, "order_value_cents": c.order}))
		if code != http.StatusOK || m["discount_cents"] != c.discount || m["total_cents"] != c.total {
			t.Errorf("%s order %s: status %d %v, want discount %v total %v", c.country, c.order, code, m, c.discount, c.total)
		}
	}
}

func TestQuoteRejectsInvalidFieldsNamingTheFirst(t *testing.T) {
	mux := quoteTestMux(t, "", "")
	cases := []struct {
		over  map[string]string
		field string
	}{
		{map[string]string{"carrier": "-"}, "carrier"},
		{map[string]string{"carrier": `"Swift"`, "destination_country": `"fr"`}, "carrier"},
		{map[string]string{"destination_country": `"FRA"`}, "destination_country"},
		{map[string]string{"destination_country": `"fr"`, "weight_kg": "0"}, "destination_country"},
		{map[string]string{"weight_kg": "70.01"}, "weight_kg"},
		{map[string]string{"weight_kg": `"5"`}, "weight_kg"},
		{map[string]string{"weight_kg": "null"}, "weight_kg"},
		{map[string]string{"length_cm": "30.0", "width_cm": "0"}, "length_cm"},
		{map[string]string{"width_cm": "3e1"}, "width_cm"},
		{map[string]string{"height_cm": "301"}, "height_cm"},
		{map[string]string{"order_value_cents": "-1"}, "order_value_cents"},
		{map[string]string{"order_value_cents": "1.5"}, "order_value_cents"},
	}
	for _, c := range cases {
		code, m := postQuoteJSON(t, mux, quoteTestBody(c.over))
		if msg, _ := m["error"].(string); code != http.StatusBadRequest || m["field"] != c.field || msg == "" {
			t.Errorf("%v: status %d %v, want 400 with field %q and an error", c.over, code, m, c.field)
		}
	}
}

func TestQuoteReportsFirstUnknownFieldBeforeAnythingElse(t *testing.T) {
	mux := quoteTestMux(t, "", "")
	for body, field := range map[string]string{`{"carrier":"dhl","zeta":1,"alpha":2}`: "zeta", `{"weight":1}`: "weight"} {
		code, m := postQuoteJSON(t, mux, body)
		if code != http.StatusBadRequest || m["field"] != field {
			t.Errorf("%s: status %d %v, want 400 with field %q", body, code, m, field)
		}
	}
}

func TestQuoteRejectsBodyThatIsNotAnObject(t *testing.T) {
	mux := quoteTestMux(t, "", "")
	for _, body := range []string{"", "[]", "null", `"parcel"`, "{", "not json"} {
		code, m := postQuoteJSON(t, mux, body)
		if code != http.StatusBadRequest || m["field"] != "body" {
			t.Errorf("body %q: status %d %v, want 400 with field body", body, code, m)
		}
	}
}
