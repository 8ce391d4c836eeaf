package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// config is read once at start-up from the environment.
type config struct {
	fuelHundredths  int64 // FUEL_SURCHARGE_PERCENT in hundredths of a percent (8.5 -> 850)
	freeShippingMin int64 // FREE_SHIPPING_MIN_ORDER_CENTS; 0 means shipping is never free
}

// service holds what the handlers share: only the configuration, since
// the service keeps nothing between requests.
type service struct {
	cfg config
}

func registerRoutes(mux *http.ServeMux, logger *slog.Logger) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	logger.Info("pricing configured",
		"fuel_surcharge_hundredths_percent", cfg.fuelHundredths,
		"free_shipping_min_order_cents", cfg.freeShippingMin)
	s := &service{cfg: cfg}
	mux.HandleFunc("POST /v1/quote", s.handleQuote)
	mux.HandleFunc("POST /v1/compare", s.handleCompare)
	mux.HandleFunc("GET /v1/zones", s.handleZones)
	return nil
}

func loadConfig(getenv func(string) string) (config, error) {
	fuel, err := parsePercent(getenv("FUEL_SURCHARGE_PERCENT"))
	if err != nil {
		return config{}, err
	}
	freeMin, err := parseCents(getenv("FREE_SHIPPING_MIN_ORDER_CENTS"))
	if err != nil {
		return config{}, err
	}
	return config{fuelHundredths: fuel, freeShippingMin: freeMin}, nil
}

// parsePercent parses a decimal from 0 to 100 with at most two decimal
// places into hundredths of a percent ("8.5" -> 850). Empty means 0.
func parsePercent(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	bad := fmt.Errorf("FUEL_SURCHARGE_PERCENT=%q: want a decimal from 0 to 100 with at most two decimal places", s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if !allDigits(whole) || (hasDot && (len(frac) > 2 || !allDigits(frac))) {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 100 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	p := w*100 + f
	if p > 10000 {
		return 0, bad
	}
	return p, nil
}

// parseCents parses a whole number of cents >= 0. Empty means 0.
func parseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if !allDigits(s) || err != nil {
		return 0, fmt.Errorf("FREE_SHIPPING_MIN_ORDER_CENTS=%q: want a whole number >= 0", s)
	}
	return n, nil
}

// allDigits reports whether s is non-empty and made only of ASCII digits.
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
