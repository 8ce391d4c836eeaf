package main

import (
	"net/http"
	"testing"
)

func TestRegisterRoutesRejectsInvalidSLATiers(t *testing.T) {
	const zero = `{"name":"z","min_availability":0,"credit_percent":50}`
	cases := map[string]string{
		"not JSON":           `nope`,
		"not an array":       zero,
		"empty name":         `[{"name":"","min_availability":0,"credit_percent":50}]`,
		"repeated name":      `[` + zero + `,{"name":"z","min_availability":50,"credit_percent":10}]`,
		"min above 100":      `[` + zero + `,{"name":"a","min_availability":100.5,"credit_percent":0}]`,
		"min below 0":        `[` + zero + `,{"name":"a","min_availability":-1,"credit_percent":0}]`,
		"equal mins":         `[` + zero + `,{"name":"a","min_availability":95,"credit_percent":1},{"name":"b","min_availability":95,"credit_percent":2}]`,
		"fractional percent": `[{"name":"z","min_availability":0,"credit_percent":12.5}]`,
		"percent above 100":  `[{"name":"z","min_availability":0,"credit_percent":101}]`,
		"no zero tier":       `[{"name":"a","min_availability":50,"credit_percent":10}]`,
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SLA_TIERS", raw)
			if err := registerRoutes(http.NewServeMux(), slaLogger()); err == nil {
				t.Errorf("registerRoutes accepted SLA_TIERS=%s", raw)
			}
		})
	}
}

func TestTiersDefaultsAreListedHighestFirst(t *testing.T) {
	code, out := slaDo(t, slaMux(t, ""), "GET", "/v1/tiers", "")
	slaWantOK(t, code, out, nil)
	if _, ok := out["match"]; ok {
		t.Errorf("match present without the availability parameter: %v", out)
	}
	want := []map[string]any{
		{"name": "none", "min_availability": 99.9, "credit_percent": 0},
		{"name": "minor", "min_availability": 99, "credit_percent": 10},
		{"name": "major", "min_availability": 95, "credit_percent": 25},
		{"name": "severe", "min_availability": 0, "credit_percent": 50},
	}
	list, _ := out["tiers"].([]any)
	if len(list) != len(want) {
		t.Fatalf("tiers = %v, want %d entries", list, len(want))
	}
	for i, item := range list {
		m, _ := item.(map[string]any)
		slaWantOK(t, http.StatusOK, m, want[i])
	}
}

func TestTiersMatchBoundaryBelongsToHigherTier(t *testing.T) {
	mux := slaMux(t, "")
	cases := map[string]string{"100": "none", "99.9": "none", "99.89": "minor", "95": "major", "94.999": "severe", "0": "severe"}
	for q, want := range cases {
		code, out := slaDo(t, mux, "GET", "/v1/tiers?availability="+q, "")
		slaWantOK(t, code, out, map[string]any{"match": want})
	}
}

func TestTiersRejectsAvailabilityOutsideRangeOrNotANumber(t *testing.T) {
	mux := slaMux(t, "")
	for _, q := range []string{"abc", "100.5", "-1", "9x"} {
		code, out := slaDo(t, mux, "GET", "/v1/tiers?availability="+q, "")
		slaWantField(t, code, out, "availability")
	}
}
