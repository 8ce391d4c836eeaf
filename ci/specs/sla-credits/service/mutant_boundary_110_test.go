package main

import "testing"

func TestCreditsAcceptsZeroAvailability(t *testing.T) {
	mux := slaMux(t, "")
	code, out := slaDo(t, mux, "POST", "/v1/credits", `{"availability_percent":0,"monthly_fee_cents":1000}`)
	if code != 200 {
		t.Fatalf("status = %d, want 200 for availability_percent 0; answer %v", code, out)
	}
	slaWantOK(t, code, out, map[string]any{"tier": "severe", "credit_percent": 50, "credit_cents": 500, "payable_cents": 500})
}
