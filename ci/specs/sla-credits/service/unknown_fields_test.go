package main

import "testing"

func TestUnknownBodyFieldIsReportedUnderItsOwnName(t *testing.T) {
	mux := slaMux(t, "")
	code, out := slaDo(t, mux, "POST", "/v1/availability", `{"month":"2026-04","outages":[],"note":"x"}`)
	slaWantField(t, code, out, "note")
	code, out = slaDo(t, mux, "POST", "/v1/credits", `{"availability_percent":99.5,"monthly_fee_cents":100,"currency":"EUR"}`)
	slaWantField(t, code, out, "currency")
}

func TestUnknownBodyFieldIsReportedBeforeInvalidListedFields(t *testing.T) {
	mux := slaMux(t, "")
	code, out := slaDo(t, mux, "POST", "/v1/availability", `{"month":"2026-13","outages":5,"extra":true}`)
	slaWantField(t, code, out, "extra")
	code, out = slaDo(t, mux, "POST", "/v1/credits", `{"availability_percent":500,"extra":1}`)
	slaWantField(t, code, out, "extra")
}

func TestBodyThatIsNotAnObjectIsReportedAsBody(t *testing.T) {
	mux := slaMux(t, "")
	for _, body := range []string{"", "[]", "null", `"text"`, "42", `{"month":`} {
		for _, path := range []string{"/v1/availability", "/v1/credits"} {
			code, out := slaDo(t, mux, "POST", path, body)
			slaWantField(t, code, out, "body")
		}
	}
}
