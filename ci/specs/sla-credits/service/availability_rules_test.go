package main

import "testing"

func TestAvailabilityMonthSecondsFollowLeapYears(t *testing.T) {
	mux := slaMux(t, "")
	cases := map[string]int{"2024-02": 2505600, "2023-02": 2419200, "2100-02": 2419200, "2000-02": 2505600, "2026-04": 2592000, "1970-01": 2678400}
	for month, secs := range cases {
		code, out := slaDo(t, mux, "POST", "/v1/availability", `{"month":"`+month+`","outages":[]}`)
		slaWantOK(t, code, out, map[string]any{"month": month, "month_seconds": secs, "availability_percent": 100, "downtime_minutes": 0})
	}
}

func TestAvailabilityRejectsMalformedOutages(t *testing.T) {
	mux := slaMux(t, "")
	const end = `"end":"2026-02-04T00:00:00Z"`
	cases := map[string]string{
		`"x"`: "outages", `null`: "outages", `[5]`: "outages[0]",
		`[{` + end + `}]`: "outages[0].start",
		`[{"start":"2026-02-03T10:00:00+00:00",` + end + `}]`:             "outages[0].start",
		`[{"start":"2026-02-03T10:00:00.5Z",` + end + `}]`:                "outages[0].start",
		`[{"start":"2026-02-29T10:00:00Z",` + end + `}]`:                  "outages[0].start",
		`[{"start":"2026-02-03T24:00:00Z",` + end + `}]`:                  "outages[0].start",
		`[{"start":"2026-02-03T10:00:00Z"}]`:                              "outages[0].end",
		`[{"start":"2026-02-03T10:00:00Z","end":"2026-02-03T09:00:00Z"}]`: "outages[0].end",
	}
	for outages, field := range cases {
		code, out := slaDo(t, mux, "POST", "/v1/availability", `{"month":"2026-02","outages":`+outages+`}`)
		slaWantField(t, code, out, field)
	}
}

func TestAvailabilityPercentRoundsHalfUp(t *testing.T) {
	// 324 s of 2592000: 100 * 2591676 / 2592000 = 99.9875 exactly.
	body := `{"month":"2026-04","outages":[{"start":"2026-04-10T00:00:00Z","end":"2026-04-10T00:05:24Z"}]}`
	code, out := slaDo(t, slaMux(t, ""), "POST", "/v1/availability", body)
	slaWantOK(t, code, out, map[string]any{"downtime_seconds": 324, "downtime_minutes": 6, "availability_percent": 99.988})
}

func TestAvailabilityMergesContainedAndTouchingOutages(t *testing.T) {
	body := `{"month":"2026-04","outages":[
		{"start":"2026-04-10T11:00:00Z","end":"2026-04-10T12:00:00Z"},
		{"start":"2026-04-10T10:15:00Z","end":"2026-04-10T10:30:00Z"},
		{"start":"2026-04-10T10:00:00Z","end":"2026-04-10T11:00:00Z"},
		{"start":"2026-04-10T12:00:01Z","end":"2026-04-10T12:00:02Z"}]}`
	code, out := slaDo(t, slaMux(t, ""), "POST", "/v1/availability", body)
	slaWantOK(t, code, out, map[string]any{"downtime_seconds": 7201, "downtime_minutes": 121, "availability_percent": 99.722})
	merged, _ := out["merged_outages"].([]any)
	if len(merged) != 2 {
		t.Fatalf("merged_outages = %v, want 2 intervals", out["merged_outages"])
	}
	first, _ := merged[0].(map[string]any)
	slaWantOK(t, code, first, map[string]any{"start": "2026-04-10T10:00:00Z", "end": "2026-04-10T12:00:00Z", "seconds": 7200})
}
