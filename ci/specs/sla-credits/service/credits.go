package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// tier is one credit tier.
type tier struct {
	Name            string  `json:"name"`
	MinAvailability float64 `json:"min_availability"`
	CreditPercent   int     `json:"credit_percent"`
}

const defaultTiers = `[{"name":"none","min_availability":99.9,"credit_percent":0},
{"name":"minor","min_availability":99.0,"credit_percent":10},
{"name":"major","min_availability":95.0,"credit_percent":25},
{"name":"severe","min_availability":0,"credit_percent":50}]`

// loadTiers parses and validates SLA_TIERS (the default when empty) and
// returns the tiers ordered by min_availability, highest first.
func loadTiers(raw string) ([]tier, error) {
	if strings.TrimSpace(raw) == "" {
		raw = defaultTiers
	}
	var entries []struct {
		Name            *string  `json:"name"`
		MinAvailability *float64 `json:"min_availability"`
		CreditPercent   *float64 `json:"credit_percent"`
	}
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || entries == nil {
		return nil, fmt.Errorf("SLA_TIERS must be a JSON array of {name, min_availability, credit_percent}")
	}
	tiers := make([]tier, 0, len(entries))
	names := make(map[string]bool, len(entries))
	hasZero := false
	for i, e := range entries {
		if e.Name == nil || *e.Name == "" {
			return nil, fmt.Errorf("SLA_TIERS[%d]: name must be a non-empty string", i)
		}
		if names[*e.Name] {
			return nil, fmt.Errorf("SLA_TIERS[%d]: name %q is repeated", i, *e.Name)
		}
		names[*e.Name] = true
		if e.MinAvailability == nil || *e.MinAvailability < 0 || *e.MinAvailability > 100 {
			return nil, fmt.Errorf("SLA_TIERS[%d]: min_availability must be a number from 0 to 100", i)
		}
		minA := *e.MinAvailability
		for _, t := range tiers {
			if t.MinAvailability == minA {
				return nil, fmt.Errorf("SLA_TIERS[%d]: min_availability %v is used by tier %q too", i, minA, t.Name)
			}
		}
		if e.CreditPercent == nil || *e.CreditPercent != math.Trunc(*e.CreditPercent) ||
			*e.CreditPercent < 0 || *e.CreditPercent > 100 {
			return nil, fmt.Errorf("SLA_TIERS[%d]: credit_percent must be an integer from 0 to 100", i)
		}
		if minA == 0 {
			hasZero = true
		}
		tiers = append(tiers, tier{Name: *e.Name, MinAvailability: minA, CreditPercent: int(*e.CreditPercent)})
	}
	if !hasZero {
		return nil, fmt.Errorf("SLA_TIERS must contain a tier with min_availability 0")
	}
	sort.Slice(tiers, func(a, b int) bool { return tiers[a].MinAvailability > tiers[b].MinAvailability })
	return tiers, nil
}

// tierFor returns the first tier (highest first) whose min_availability <= a.
func tierFor(tiers []tier, a float64) tier {
	for _, t := range tiers {
		if t.MinAvailability <= a {
			return t
		}
	}
	return tiers[len(tiers)-1]
}

type creditsResponse struct {
	Tier          string `json:"tier"`
	CreditPercent int    `json:"credit_percent"`
	CreditCents   int64  `json:"credit_cents"`
	PayableCents  int64  `json:"payable_cents"`
}

func handleCredits(w http.ResponseWriter, r *http.Request, tiers []tier) {
	body, fe := readObject(w, r, "availability_percent", "monthly_fee_cents")
	if fe != nil {
		writeFieldError(w, fe)
		return
	}

	rawA := body["availability_percent"]
	if isMissing(rawA) {
		writeFieldError(w, &fieldError{Field: "availability_percent", Message: "availability_percent is required"})
		return
	}
	var a float64
	if err := json.Unmarshal(rawA, &a); err != nil {
		writeFieldError(w, &fieldError{Field: "availability_percent", Message: "availability_percent must be a number"})
		return
	}
	if a < 0 || a > 100 {
		writeFieldError(w, &fieldError{Field: "availability_percent", Message: "availability_percent must be from 0 to 100"})
		return
	}

	rawFee := body["monthly_fee_cents"]
	if isMissing(rawFee) {
		writeFieldError(w, &fieldError{Field: "monthly_fee_cents", Message: "monthly_fee_cents is required"})
		return
	}
	fee, ok := parseWholeNumber(rawFee)
	if !ok {
		writeFieldError(w, &fieldError{Field: "monthly_fee_cents", Message: "monthly_fee_cents must be a whole number without fraction or exponent"})
		return
	}
	if fee < 0 {
		writeFieldError(w, &fieldError{Field: "monthly_fee_cents", Message: "monthly_fee_cents must be 0 or more"})
		return
	}

	t := tierFor(tiers, a)
	p := int64(t.CreditPercent)
	// fee * p / 100 rounded half up, split so that it cannot overflow.
	credit := (fee/100)*p + (2*(fee%100)*p+100)/200
	writeJSON(w, http.StatusOK, creditsResponse{
		Tier:          t.Name,
		CreditPercent: t.CreditPercent,
		CreditCents:   credit,
		PayableCents:  fee - credit,
	})
}

// parseWholeNumber accepts a JSON number written as an optional minus sign
// and digits only.
func parseWholeNumber(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	digits := strings.TrimPrefix(s, "-")
	if !allDigits(digits) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

var decimalPattern = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)

type tiersResponse struct {
	Tiers []tier  `json:"tiers"`
	Match *string `json:"match,omitempty"`
}

func handleTiers(w http.ResponseWriter, r *http.Request, tiers []tier) {
	resp := tiersResponse{Tiers: tiers}
	q := r.URL.Query()
	if q.Has("availability") {
		v := q.Get("availability")
		if !decimalPattern.MatchString(v) {
			writeFieldError(w, &fieldError{Field: "availability", Message: "availability must be a decimal number from 0 to 100"})
			return
		}
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || a < 0 || a > 100 {
			writeFieldError(w, &fieldError{Field: "availability", Message: "availability must be a decimal number from 0 to 100"})
			return
		}
		name := tierFor(tiers, a).Name
		resp.Match = &name
	}
	writeJSON(w, http.StatusOK, resp)
}
