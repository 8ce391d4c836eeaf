package main

import (
	"encoding/json"
	"net/http"
	"strconv"
)

func quoteHandler(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	var items []item
	if err := json.NewDecoder(req.Body).Decode(&items); err != nil {
		http.Error(w, "the body is not a JSON list of items", http.StatusBadRequest)
		return
	}
	q, err := priceQuote(items)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func listTiers(w http.ResponseWriter, req *http.Request) {
	limit := 10
	if s := req.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			http.Error(w, "limit must be a positive number", http.StatusBadRequest)
			return
		}
		limit = n
	}
	writeJSON(w, http.StatusOK, sortedTiers(limit))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
