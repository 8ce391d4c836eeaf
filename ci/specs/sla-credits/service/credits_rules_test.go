package main

import (
	"fmt"
	"testing"
)

func TestCreditsRoundsHalfCentUp(t *testing.T) {
	mux := slaMux(t, "")
	cases := []struct {
		avail, tier          string
		fee, credit, payable int
	}{
		{"50", "severe", 5, 3, 2},            // 2.5 -> 3
		{"96", "major", 2, 1, 1},             // 0.5 -> 1
		{"96", "major", 1, 0, 1},             // 0.25 -> 0
		{"99.5", "minor", 4, 0, 4},           // 0.4 -> 0
		{"99.8999", "minor", 1000, 100, 900}, // as given, not rounded to 99.9
		{"99.9", "none", 1000, 0, 1000},
		{"10", "severe", 0, 0, 0},
	}
	for _, c := range cases {
		body := fmt.Sprintf(`{"availability_percent":%s,"monthly_fee_cents":%d}`, c.avail, c.fee)
		code, out := slaDo(t, mux, "POST", "/v1/credits", body)
		slaWantOK(t, code, out, map[string]any{"tier": c.tier, "credit_cents": c.credit, "payable_cents": c.payable})
	}
}

func TestCreditsRejectsInvalidFields(t *testing.T) {
	mux := slaMux(t, "")
	cases := map[string]string{
		`{"monthly_fee_cents":100}`:                             "availability_percent",
		`{"availability_percent":"99","monthly_fee_cents":100}`: "availability_percent",
		`{"availability_percent":-0.1,"monthly_fee_cents":"x"}`: "availability_percent",
		`{"availability_percent":99}`:                           "monthly_fee_cents",
		`{"availability_percent":99,"monthly_fee_cents":null}`:  "monthly_fee_cents",
		`{"availability_percent":99,"monthly_fee_cents":12.5}`:  "monthly_fee_cents",
		`{"availability_percent":99,"monthly_fee_cents":"100"}`: "monthly_fee_cents",
		`{"availability_percent":99,"monthly_fee_cents":1e3}`:   "monthly_fee_cents",
		`{"availability_percent":99,"monthly_fee_cents":-1}`:    "monthly_fee_cents",
	}
	for body, field := range cases {
		code, out := slaDo(t, mux, "POST", "/v1/credits", body)
		slaWantField(t, code, out, field)
	}
}
