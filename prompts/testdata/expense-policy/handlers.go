package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// policy is EXPENSE_POLICY.
type policy struct {
	Limits      map[string]int64 `json:"limits"`
	ReceiptOver int64            `json:"receipt_over"`
	PerAttendee []string         `json:"per_attendee"`
}

type claim struct {
	Employee    string `json:"employee"`
	Category    string `json:"category"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
	Date        string `json:"date"`
	Submitted   string `json:"submitted"`
	Attendees   *int   `json:"attendees"`
	ReceiptID   string `json:"receipt_id"`
}

type verdict struct {
	Decision      string   `json:"decision"`
	Reasons       []string `json:"reasons"`
	AmountEUR     int64    `json:"amount_eur_cents"`
	Reimbursable  int64    `json:"reimbursable_cents"`
	rejected      bool
	category      string
	reimbursement int64
}

type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

type checker struct {
	pol   policy
	rates map[string]float64
}

func registerRoutes(mux *http.ServeMux, logger *slog.Logger) error {
	var c checker
	if err := json.Unmarshal([]byte(os.Getenv("EXPENSE_POLICY")), &c.pol); err != nil || len(c.pol.Limits) == 0 {
		return fmt.Errorf("EXPENSE_POLICY must be a JSON policy with limits: %v", err)
	}
	if err := json.Unmarshal([]byte(os.Getenv("FX_RATES")), &c.rates); err != nil || len(c.rates) == 0 {
		return fmt.Errorf("FX_RATES must be a JSON object of rates: %v", err)
	}
	mux.HandleFunc("POST /v1/claims/check", c.check)
	mux.HandleFunc("GET /v1/limits", c.limits)
	mux.HandleFunc("POST /v1/claims/summary", c.summary)
	logger.Info("policy loaded", "categories", len(c.pol.Limits), "currencies", len(c.rates))
	return nil
}

func (c checker) check(w http.ResponseWriter, r *http.Request) {
	var cl claim
	raw, bad := decode(r, &cl)
	if bad == nil {
		bad = c.validate(cl, "")
	}
	if bad == nil {
		bad = unknownFields(raw, &claim{})
	}
	if bad != nil {
		writeJSON(w, http.StatusUnprocessableEntity, bad)
		return
	}
	writeJSON(w, http.StatusOK, c.judge(cl))
}

// decode reads one JSON object, leniently: unknown fields are checked
// after the listed ones (unknownFields), as the spec orders them.
func decode(r *http.Request, v any) ([]byte, *apiError) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, &apiError{Error: "could not read the body", Field: "body"}
	}
	err = json.Unmarshal(raw, v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return raw, nil
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return nil, &apiError{Error: typeErr.Field + " has the wrong type", Field: typeErr.Field}
	}
	return nil, &apiError{Error: "the body is not a valid JSON object: " + err.Error(), Field: "body"}
}

// unknownFields reports a field the endpoint does not define as the body.
func unknownFields(raw []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apiError{Error: "the body has a field the endpoint does not define: " + err.Error(), Field: "body"}
	}
	return nil
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (c checker) validate(cl claim, prefix string) *apiError {
	bad := func(field, msg string) *apiError { return &apiError{Error: field + " " + msg, Field: prefix + field} }
	switch {
	case strings.TrimSpace(cl.Employee) == "":
		return bad("employee", "is required")
	case cl.Category == "":
		return bad("category", "is required")
	case cl.AmountCents <= 0:
		return bad("amount_cents", "must be an integer > 0")
	case c.rates[cl.Currency] == 0:
		return bad("currency", "is not a currency in FX_RATES")
	case !validDate(cl.Date):
		return bad("date", "must be YYYY-MM-DD")
	case !validDate(cl.Submitted):
		return bad("submitted", "must be YYYY-MM-DD")
	case cl.Attendees != nil && *cl.Attendees < 1:
		return bad("attendees", "must be an integer >= 1")
	}
	return nil
}

func validDate(s string) bool {
	if !dateRe.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// limitFor is the category's limit for a number of attendees.
func (c checker) limitFor(category string, attendees int) (int64, bool, bool) {
	limit, ok := c.pol.Limits[category]
	if !ok {
		return 0, false, false
	}
	for _, p := range c.pol.PerAttendee {
		if p == category {
			return limit * int64(attendees), true, true
		}
	}
	return limit, false, true
}

func (c checker) judge(cl claim) verdict {
	attendees := 1
	if cl.Attendees != nil {
		attendees = *cl.Attendees
	}
	eur := int64(math.Floor(float64(cl.AmountCents)*c.rates[cl.Currency] + 0.5))
	v := verdict{AmountEUR: eur, Reasons: []string{}, category: cl.Category}
	limit, _, known := c.limitFor(cl.Category, attendees)
	date, _ := time.Parse(time.DateOnly, cl.Date)
	submitted, _ := time.Parse(time.DateOnly, cl.Submitted)
	add := func(reason string, rejects bool) {
		v.Reasons = append(v.Reasons, reason)
		v.rejected = v.rejected || rejects
	}
	if !known {
		add("unknown_category", true)
	}
	if date.After(submitted) {
		add("future_date", true)
	}
	if submitted.Sub(date) > 90*24*time.Hour {
		add("stale", true)
	}
	if known && eur > limit {
		add("over_limit", false)
	}
	if eur >= c.pol.ReceiptOver && cl.ReceiptID == "" {
		add("missing_receipt", false)
	}
	if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		add("weekend", false)
	}
	switch {
	case v.rejected:
		v.Decision = "rejected"
	case len(v.Reasons) > 0:
		v.Decision, v.Reimbursable = "needs_review", min(eur, limit)
	default:
		v.Decision, v.Reimbursable = "approved", min(eur, limit)
	}
	v.reimbursement = v.Reimbursable
	return v
}

func (c checker) limits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	category := q.Get("category")
	if category == "" {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "category is required", Field: "category"})
		return
	}
	attendees := 1
	if s := q.Get("attendees"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "attendees must be an integer >= 1", Field: "attendees"})
			return
		}
		attendees = n
	}
	limit, per, ok := c.limitFor(category, attendees)
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{Error: fmt.Sprintf("no limit for category %q", category)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"category": category, "limit_eur_cents": limit, "per_attendee": per})
}

type categoryTotal struct {
	Category     string `json:"category"`
	Reimbursable int64  `json:"reimbursable_cents"`
}

func (c checker) summary(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Claims []claim `json:"claims"`
	}
	raw, bad := decode(r, &req)
	if bad != nil {
		writeJSON(w, http.StatusUnprocessableEntity, bad)
		return
	}
	if len(req.Claims) == 0 || len(req.Claims) > 100 {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "claims must hold 1 to 100 claims", Field: "claims"})
		return
	}
	byDecision := map[string]int{"approved": 0, "needs_review": 0, "rejected": 0}
	byCategory := map[string]int64{}
	var total int64
	for i, cl := range req.Claims {
		if bad := c.validate(cl, fmt.Sprintf("claims[%d].", i)); bad != nil {
			writeJSON(w, http.StatusUnprocessableEntity, bad)
			return
		}
		v := c.judge(cl)
		byDecision[v.Decision]++
		byCategory[v.category] += v.reimbursement
		total += v.reimbursement
	}
	if bad := unknownFields(raw, &struct {
		Claims []claim `json:"claims"`
	}{}); bad != nil {
		writeJSON(w, http.StatusUnprocessableEntity, bad)
		return
	}
	totals := make([]categoryTotal, 0, len(byCategory))
	for k, n := range byCategory {
		totals = append(totals, categoryTotal{k, n})
	}
	sort.Slice(totals, func(i, j int) bool {
		if totals[i].Reimbursable != totals[j].Reimbursable {
			return totals[i].Reimbursable > totals[j].Reimbursable
		}
		return totals[i].Category < totals[j].Category
	})
	writeJSON(w, http.StatusOK, map[string]any{"count": len(req.Claims), "by_decision": byDecision,
		"reimbursable_cents": total, "by_category": totals})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
