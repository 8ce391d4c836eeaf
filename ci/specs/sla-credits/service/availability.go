package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// timestampLayout is the only accepted timestamp form; the trailing Z is a
// literal.
const timestampLayout = "2006-01-02T15:04:05Z"

// interval is a half-open span [start, end) in Unix seconds.
type interval struct {
	start, end int64
}

type mergedOutage struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	Seconds int64  `json:"seconds"`
}

type availabilityResponse struct {
	Month               string         `json:"month"`
	MonthSeconds        int64          `json:"month_seconds"`
	MergedOutages       []mergedOutage `json:"merged_outages"`
	DowntimeSeconds     int64          `json:"downtime_seconds"`
	DowntimeMinutes     int64          `json:"downtime_minutes"`
	AvailabilityPercent float64        `json:"availability_percent"`
}

func handleAvailability(w http.ResponseWriter, r *http.Request) {
	body, fe := readObject(w, r, "month", "outages")
	if fe != nil {
		writeFieldError(w, fe)
		return
	}

	rawMonth := body["month"]
	if isMissing(rawMonth) {
		writeFieldError(w, &fieldError{Field: "month", Message: "month is required"})
		return
	}
	month, ok := decodeString(rawMonth)
	if !ok {
		writeFieldError(w, &fieldError{Field: "month", Message: "month must be a string in the form YYYY-MM"})
		return
	}
	monthStart, ok := parseMonth(month)
	if !ok {
		writeFieldError(w, &fieldError{Field: "month", Message: "month must be YYYY-MM with a month 01-12 and a year 1970 or later"})
		return
	}
	monthEnd := monthStart.AddDate(0, 1, 0)
	ms, me := monthStart.Unix(), monthEnd.Unix()

	rawOutages := body["outages"]
	if isMissing(rawOutages) {
		writeFieldError(w, &fieldError{Field: "outages", Message: "outages is required"})
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(rawOutages, &items); err != nil {
		writeFieldError(w, &fieldError{Field: "outages", Message: "outages must be an array"})
		return
	}

	clipped := make([]interval, 0, len(items))
	for i, item := range items {
		iv, fe := parseOutage(i, item)
		if fe != nil {
			writeFieldError(w, fe)
			return
		}
		s, e := max(iv.start, ms), min(iv.end, me)
		if e > s {
			clipped = append(clipped, interval{start: s, end: e})
		}
	}

	merged := mergeIntervals(clipped)
	monthSeconds := me - ms
	var downtime int64
	outages := make([]mergedOutage, 0, len(merged))
	for _, iv := range merged {
		secs := iv.end - iv.start
		downtime += secs
		outages = append(outages, mergedOutage{
			Start:   formatTimestamp(iv.start),
			End:     formatTimestamp(iv.end),
			Seconds: secs,
		})
	}
	up := monthSeconds - downtime
	thousandths := (2*100000*up + monthSeconds) / (2 * monthSeconds)

	writeJSON(w, http.StatusOK, availabilityResponse{
		Month:               month,
		MonthSeconds:        monthSeconds,
		MergedOutages:       outages,
		DowntimeSeconds:     downtime,
		DowntimeMinutes:     (downtime + 59) / 60,
		AvailabilityPercent: float64(thousandths) / 1000,
	})
}

// parseOutage validates outages[i]: an object, then its start, then its end
// (a valid timestamp strictly after start).
func parseOutage(i int, raw json.RawMessage) (interval, *fieldError) {
	field := fmt.Sprintf("outages[%d]", i)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return interval{}, &fieldError{Field: field, Message: field + " must be an object"}
	}
	start, fe := timestampField(obj["start"], field+".start")
	if fe != nil {
		return interval{}, fe
	}
	end, fe := timestampField(obj["end"], field+".end")
	if fe != nil {
		return interval{}, fe
	}
	if !end.After(start) {
		return interval{}, &fieldError{Field: field + ".end", Message: field + ".end must be strictly after " + field + ".start"}
	}
	return interval{start: start.Unix(), end: end.Unix()}, nil
}

func timestampField(raw json.RawMessage, field string) (time.Time, *fieldError) {
	if isMissing(raw) {
		return time.Time{}, &fieldError{Field: field, Message: field + " is required"}
	}
	s, ok := decodeString(raw)
	if !ok {
		return time.Time{}, &fieldError{Field: field, Message: field + " must be a string timestamp YYYY-MM-DDTHH:MM:SSZ"}
	}
	t, ok := parseTimestamp(s)
	if !ok {
		return time.Time{}, &fieldError{Field: field, Message: field + " must be a valid UTC timestamp YYYY-MM-DDTHH:MM:SSZ"}
	}
	return t, nil
}

// parseMonth parses YYYY-MM (four-digit year >= 1970, month 01-12) and
// returns the first instant of that month in UTC.
func parseMonth(s string) (time.Time, bool) {
	if len(s) != 7 || s[4] != '-' || !allDigits(s[:4]) || !allDigits(s[5:]) {
		return time.Time{}, false
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil {
		return time.Time{}, false
	}
	month, err := strconv.Atoi(s[5:])
	if err != nil {
		return time.Time{}, false
	}
	if year < 1970 || month < 1 || month > 12 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), true
}

// parseTimestamp accepts exactly YYYY-MM-DDTHH:MM:SSZ and rejects impossible
// dates and times.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) != len(timestampLayout) {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '-' {
				return time.Time{}, false
			}
		case 10:
			if c != 'T' {
				return time.Time{}, false
			}
		case 13, 16:
			if c != ':' {
				return time.Time{}, false
			}
		case 19:
			if c != 'Z' {
				return time.Time{}, false
			}
		default:
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
	}
	t, err := time.Parse(timestampLayout, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func formatTimestamp(unix int64) string {
	return time.Unix(unix, 0).UTC().Format(timestampLayout)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mergeIntervals sorts the intervals by start and merges those that overlap
// or touch (start <= previous end).
func mergeIntervals(in []interval) []interval {
	sort.Slice(in, func(a, b int) bool {
		if in[a].start != in[b].start {
			return in[a].start < in[b].start
		}
		return in[a].end < in[b].end
	})
	out := make([]interval, 0, len(in))
	for _, iv := range in {
		if n := len(out); n > 0 && iv.start <= out[n-1].end {
			if iv.end > out[n-1].end {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}
