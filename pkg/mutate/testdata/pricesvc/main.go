// Command pricesvc quotes prices for a basket of items, with volume
// discounts, tax and shipping. A test service for pkg/mutate: nothing in
// it is shaped like the reference service.
package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	srv := &http.Server{Addr: ":" + envOr("PORT", "8080"), Handler: routes(), ReadHeaderTimeout: 3 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// routes wires the endpoints; every request goes through withTiming.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", alive)
	mux.HandleFunc("/quote", quoteHandler)
	mux.Handle("/tiers", http.HandlerFunc(listTiers))
	mux.HandleFunc("/convert", func(w http.ResponseWriter, req *http.Request) {
		cents, err := parseCents(req.URL.Query().Get("cents"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"amount": formatCents(cents)})
	})
	return withTiming(mux)
}

func alive(w http.ResponseWriter, req *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func withTiming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, req)
		if d := time.Since(start); d > 2*60*time.Second {
			log.Printf("slow request %s %s took %s", req.Method, req.URL.Path, d)
		}
	})
}
