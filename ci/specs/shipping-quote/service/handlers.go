package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// maxBodyBytes caps request bodies; a parcel needs far less.
const maxBodyBytes = 1 << 20

// parcelFields are the body fields of both endpoints, in validation order;
// POST /v1/quote also accepts "carrier", checked before them.
var parcelFields = []string{"destination_country", "weight_kg", "length_cm", "width_cm", "height_cm", "order_value_cents"}

var errNotObject = errors.New("request body must be a single JSON object")

type fieldError struct {
	field string
	msg   string
}

type errorResponse struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

type comparedQuote struct {
	Carrier     string `json:"carrier"`
	TotalCents  int64  `json:"total_cents"`
	TransitDays int64  `json:"transit_days"`
}

type compareResponse struct {
	Zone       string          `json:"zone"`
	BillableKg float64         `json:"billable_kg"`
	Quotes     []comparedQuote `json:"quotes"`
	Cheapest   string          `json:"cheapest"`
}

type zoneListing struct {
	Name      string   `json:"name"`
	Countries []string `json:"countries"`
}

type zonesResponse struct {
	Zones []zoneListing `json:"zones"`
}

type countryResponse struct {
	Country  string   `json:"country"`
	Zone     string   `json:"zone"`
	Carriers []string `json:"carriers"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, errorResponse{Error: msg, Field: field})
}

// POST /v1/quote
func (s *service) handleQuote(w http.ResponseWriter, r *http.Request) {
	p, ferr := decodeParcel(w, r, true)
	if ferr != nil {
		writeError(w, http.StatusBadRequest, ferr.field, ferr.msg)
		return
	}
	z := zoneOf(p.country)
	if !p.carrier.rates[z].served {
		writeError(w, http.StatusUnprocessableEntity, "destination_country",
			fmt.Sprintf("carrier %s does not serve %s (zone %s)", p.carrier.name, p.country, zones[z].name))
		return
	}
	writeJSON(w, http.StatusOK, price(p.carrier, z, p, s.cfg))
}

// POST /v1/compare
func (s *service) handleCompare(w http.ResponseWriter, r *http.Request) {
	p, ferr := decodeParcel(w, r, false)
	if ferr != nil {
		writeError(w, http.StatusBadRequest, ferr.field, ferr.msg)
		return
	}
	z := zoneOf(p.country)
	resp := compareResponse{
		Zone:       zones[z].name,
		BillableKg: float64(billableHalfKg(p)) / 2,
		Quotes:     []comparedQuote{},
	}
	for _, c := range carriers {
		if !c.rates[z].served {
			continue
		}
		q := price(c, z, p, s.cfg)
		resp.Quotes = append(resp.Quotes, comparedQuote{Carrier: q.Carrier, TotalCents: q.TotalCents, TransitDays: q.TransitDays})
	}
	if len(resp.Quotes) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "destination_country",
			fmt.Sprintf("no carrier serves %s (zone %s)", p.country, zones[z].name))
		return
	}
	sort.Slice(resp.Quotes, func(i, j int) bool {
		a, b := resp.Quotes[i], resp.Quotes[j]
		if a.TotalCents != b.TotalCents {
			return a.TotalCents < b.TotalCents
		}
		if a.TransitDays != b.TransitDays {
			return a.TransitDays < b.TransitDays
		}
		return a.Carrier < b.Carrier
	})
	resp.Cheapest = resp.Quotes[0].Carrier
	writeJSON(w, http.StatusOK, resp)
}

// GET /v1/zones and GET /v1/zones?country=XX
func (s *service) handleZones(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	if query.Has("country") {
		country := query.Get("country")
		if !validCountry(country) {
			writeError(w, http.StatusBadRequest, "country", "country must be exactly two upper-case letters A-Z")
			return
		}
		z := zoneOf(country)
		names := []string{}
		for _, c := range carriers {
			if c.rates[z].served {
				names = append(names, c.name)
			}
		}
		sort.Strings(names)
		writeJSON(w, http.StatusOK, countryResponse{Country: country, Zone: zones[z].name, Carriers: names})
		return
	}
	resp := zonesResponse{Zones: make([]zoneListing, 0, len(zones))}
	for _, z := range zones {
		countries := append([]string{}, z.countries...)
		sort.Strings(countries)
		resp.Zones = append(resp.Zones, zoneListing{Name: z.name, Countries: countries})
	}
	writeJSON(w, http.StatusOK, resp)
}

// decodeParcel reads and validates the body of /v1/quote (withCarrier)
// or /v1/compare.
func decodeParcel(w http.ResponseWriter, r *http.Request, withCarrier bool) (parcel, *fieldError) {
	keys, vals, err := readObject(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return parcel{}, &fieldError{field: "body", msg: err.Error()}
	}
	return parseParcel(keys, vals, withCarrier)
}

// readObject decodes a body that must be exactly one JSON object. It
// returns the keys in the order they first appear and the raw values.
func readObject(body io.Reader) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(body)
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, errNotObject
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errNotObject
	}
	var keys []string
	vals := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, errNotObject
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, errNotObject
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, errNotObject
		}
		if _, seen := vals[key]; !seen {
			keys = append(keys, key)
		}
		vals[key] = bytes.TrimSpace(raw)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, errNotObject
	}
	if _, err := dec.Token(); err != io.EOF { // nothing may follow the object
		return nil, nil, errNotObject
	}
	return keys, vals, nil
}

// parseParcel checks unknown keys first, then each field in order, and
// reports only the first problem.
func parseParcel(keys []string, vals map[string]json.RawMessage, withCarrier bool) (parcel, *fieldError) {
	fail := func(field, msg string) (parcel, *fieldError) {
		return parcel{}, &fieldError{field: field, msg: msg}
	}
	for _, k := range keys {
		if !slices.Contains(parcelFields, k) && !(withCarrier && k == "carrier") {
			return fail(k, fmt.Sprintf("unknown field %q", k))
		}
	}

	var p parcel
	if withCarrier {
		raw, ok := present(vals, "carrier")
		if !ok {
			return fail("carrier", "carrier is required")
		}
		var name string
		found := false
		if json.Unmarshal(raw, &name) == nil {
			p.carrier, found = carrierByName(name)
		}
		if !found {
			return fail("carrier", `carrier must be "swift", "parcelo" or "globex"`)
		}
	}

	raw, ok := present(vals, "destination_country")
	if !ok {
		return fail("destination_country", "destination_country is required")
	}
	if json.Unmarshal(raw, &p.country) != nil || !validCountry(p.country) {
		return fail("destination_country", "destination_country must be exactly two upper-case letters A-Z")
	}

	raw, ok = present(vals, "weight_kg")
	if !ok {
		return fail("weight_kg", "weight_kg is required")
	}
	if !isNumber(raw) {
		return fail("weight_kg", "weight_kg must be a number")
	}
	if p.halfKg, ok = halfKgUp(string(raw)); !ok {
		return fail("weight_kg", "weight_kg must be above 0 and at most 70")
	}

	dims := []struct {
		name string
		dst  *int64
	}{
		{"length_cm", &p.length},
		{"width_cm", &p.width},
		{"height_cm", &p.height},
	}
	for _, d := range dims {
		raw, ok := present(vals, d.name)
		if !ok {
			return fail(d.name, d.name+" is required")
		}
		n, whole := wholeNumber(raw)
		if !whole || n < 1 || n > 300 {
			return fail(d.name, d.name+" must be a whole number from 1 to 300")
		}
		*d.dst = n
	}

	if raw, ok := present(vals, "order_value_cents"); ok {
		n, whole := wholeNumber(raw)
		if !whole || n < 0 {
			return fail("order_value_cents", "order_value_cents must be a whole number >= 0")
		}
		p.orderValue = n
	}
	return p, nil
}

// present returns the raw value of a field; a missing field and a JSON
// null are both missing.
func present(vals map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	raw, ok := vals[name]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// validCountry reports whether s is exactly two upper-case ASCII letters.
func validCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// isNumber reports whether a raw (already valid) JSON value is a number.
func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// wholeNumber parses a JSON number written without fraction or exponent.
// Values beyond int64 saturate at its limits, which every range check
// handles correctly.
func wholeNumber(raw json.RawMessage) (int64, bool) {
	s := string(raw)
	if !isNumber(raw) || strings.ContainsAny(s, ".eE") {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return n, true
}

// halfKgUp checks 0 < weight <= 70 and rounds the weight up to a multiple
// of 0.5 kg, exactly (decimal arithmetic), returned in half kilograms.
func halfKgUp(s string) (int64, bool) {
	// A cheap float check first keeps absurd exponents away from big.Rat.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 71 {
		return 0, false
	}
	w, ok := new(big.Rat).SetString(s)
	if !ok || w.Sign() <= 0 || w.Cmp(big.NewRat(70, 1)) > 0 {
		return 0, false
	}
	twice := new(big.Rat).Mul(w, big.NewRat(2, 1))
	q, m := new(big.Int).QuoRem(twice.Num(), twice.Denom(), new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64(), true
}
