package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func do(t *testing.T, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	routes().ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

func TestQuote(t *testing.T) {
	cases := []struct {
		name string
		body string
		want quote
	}{
		{"one item, shipping charged", `[{"sku":"a","qty":1,"unit_cents":1000}]`,
			quote{Items: 1, Subtotal: 1000, Shipping: 549, Tax: 80, Total: 1629}},
		{"ten items, first tier", `[{"sku":"a","qty":10,"unit_cents":100}]`,
			quote{Items: 10, Subtotal: 1000, Discount: 50, Shipping: 999, Tax: 76, Total: 2025}},
		{"nine items, no tier", `[{"sku":"a","qty":9,"unit_cents":100}]`,
			quote{Items: 9, Subtotal: 900, Shipping: 949, Tax: 72, Total: 1921}},
		{"exactly free shipping", `[{"sku":"a","qty":2,"unit_cents":5000}]`,
			quote{Items: 2, Subtotal: 10000, FreeShip: true, Tax: 800, Total: 10800}},
		{"just below free shipping", `[{"sku":"a","qty":1,"unit_cents":9999}]`,
			quote{Items: 1, Subtotal: 9999, Shipping: 549, Tax: 800, Total: 11348}},
		{"fifty items, second tier", `[{"sku":"a","qty":50,"unit_cents":300}]`,
			quote{Items: 50, Subtotal: 15000, Discount: 1500, FreeShip: true, Tax: 1080, Total: 14580}},
		{"hundred items, third tier", `[{"sku":"a","qty":60,"unit_cents":100},{"sku":"b","qty":40,"unit_cents":200}]`,
			quote{Items: 100, Subtotal: 14000, Discount: 2100, FreeShip: true, Tax: 952, Total: 12852}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := do(t, http.MethodPost, "/quote", c.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", rec.Code, rec.Body)
			}
			var got quote
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestQuoteRejects(t *testing.T) {
	cases := []struct {
		name, method, body string
		want               int
	}{
		{"GET", http.MethodGet, "", http.StatusMethodNotAllowed},
		{"not JSON", http.MethodPost, "{", http.StatusBadRequest},
		{"empty basket", http.MethodPost, "[]", http.StatusUnprocessableEntity},
		{"zero quantity", http.MethodPost, `[{"sku":"a","qty":0,"unit_cents":1}]`, http.StatusUnprocessableEntity},
		{"negative price", http.MethodPost, `[{"sku":"a","qty":1,"unit_cents":-1}]`, http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		if rec := do(t, c.method, "/quote", c.body); rec.Code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, rec.Code, c.want)
		}
	}
}

func TestTiers(t *testing.T) {
	rec := do(t, http.MethodGet, "/tiers?limit=2", "")
	var got []tier
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s, err %v", rec.Code, rec.Body, err)
	}
	if want := []tier{{100, 15}, {50, 10}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if rec := do(t, http.MethodGet, "/tiers", ""); !strings.Contains(rec.Body.String(), `"min_qty":10`) {
		t.Errorf("without a limit all tiers are listed: %s", rec.Body)
	}
	for _, bad := range []string{"0", "x"} {
		if rec := do(t, http.MethodGet, "/tiers?limit="+bad, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("limit=%s: status %d, want 400", bad, rec.Code)
		}
	}
}

func TestConvert(t *testing.T) {
	cases := map[string]string{"12.34": "12.34", "5": "5.00", "0.5": "0.50", " 7.05 ": "7.05"}
	for in, want := range cases {
		rec := do(t, http.MethodGet, "/convert?cents="+strings.ReplaceAll(in, " ", "%20"), "")
		var got map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK || got["amount"] != want {
			t.Errorf("%q: status %d, got %v, want %s", in, rec.Code, got, want)
		}
	}
	for _, bad := range []string{"1.234", "abc"} {
		if rec := do(t, http.MethodGet, "/convert?cents="+bad, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400", bad, rec.Code)
		}
	}
}

func TestAlive(t *testing.T) {
	if rec := do(t, http.MethodGet, "/livez", ""); rec.Code != http.StatusNoContent {
		t.Errorf("status %d, want 204", rec.Code)
	}
}
