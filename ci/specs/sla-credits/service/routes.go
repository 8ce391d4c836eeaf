package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
)

// maxBodyBytes bounds the size of a request body.
const maxBodyBytes = 1 << 20

// registerRoutes loads the credit tiers from SLA_TIERS and wires the
// endpoints of the service into mux.
func registerRoutes(mux *http.ServeMux, logger *slog.Logger) error {
	tiers, err := loadTiers(os.Getenv("SLA_TIERS"))
	if err != nil {
		return err
	}
	logger.Info("credit tiers loaded", "count", len(tiers))

	mux.HandleFunc("POST /v1/availability", handleAvailability)
	mux.HandleFunc("POST /v1/credits", func(w http.ResponseWriter, r *http.Request) {
		handleCredits(w, r, tiers)
	})
	mux.HandleFunc("GET /v1/tiers", func(w http.ResponseWriter, r *http.Request) {
		handleTiers(w, r, tiers)
	})
	return nil
}

// fieldError is a validation failure reported as 400 {"error", "field"}.
type fieldError struct {
	Field   string
	Message string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeFieldError(w http.ResponseWriter, fe *fieldError) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": fe.Message, "field": fe.Field})
}

// readObject reads the request body as a JSON object whose keys must all be
// in allowed. A body that is not a JSON object is reported under "body"; the
// first key (in body order) that is not allowed is reported under its own
// name, before any other check.
func readObject(w http.ResponseWriter, r *http.Request, allowed ...string) (map[string]json.RawMessage, *fieldError) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return nil, &fieldError{Field: "body", Message: "request body could not be read"}
	}
	notObject := &fieldError{Field: "body", Message: "request body must be a JSON object"}
	if !json.Valid(data) {
		return nil, notObject
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return nil, notObject
	}
	obj := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notObject
		}
		key, ok := tok.(string)
		if !ok {
			return nil, notObject
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, notObject
		}
		if !slices.Contains(allowed, key) {
			return nil, &fieldError{Field: key, Message: fmt.Sprintf("unknown field %q", key)}
		}
		obj[key] = raw
	}
	return obj, nil
}

// isMissing reports whether a field is absent or JSON null.
func isMissing(raw json.RawMessage) bool {
	return raw == nil || string(bytes.TrimSpace(raw)) == "null"
}

// decodeString decodes raw as a JSON string.
func decodeString(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
