package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
)

func configTestRegister(t *testing.T, fuel, freeMin string) error {
	t.Helper()
	t.Setenv("FUEL_SURCHARGE_PERCENT", fuel)
	t.Setenv("FREE_SHIPPING_MIN_ORDER_CENTS", freeMin)
	return registerRoutes(http.NewServeMux(), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestRegisterRoutesRejectsInvalidConfiguration(t *testing.T) {
	for _, c := range [][2]string{
		{"abc", ""}, {"-1", ""}, {"100.01", ""}, {"101", ""}, {"8.555", ""}, {"8,5", ""},
		{"", "-1"}, {"", "1.5"}, {"", "abc"}, {"", "1e4"},
	} {
		if err := configTestRegister(t, c[0], c[1]); err == nil {
			t.Errorf("FUEL_SURCHARGE_PERCENT=%q FREE_SHIPPING_MIN_ORDER_CENTS=%q: no error", c[0], c[1])
		}
	}
}

func TestRegisterRoutesAcceptsValidConfiguration(t *testing.T) {
	for _, c := range [][2]string{
		{"", ""}, {"0", "0"}, {"8.5", "15000"}, {"12", ""}, {"0.25", ""}, {"99.99", ""}, {"100", ""},
	} {
		if err := configTestRegister(t, c[0], c[1]); err != nil {
			t.Errorf("FUEL_SURCHARGE_PERCENT=%q FREE_SHIPPING_MIN_ORDER_CENTS=%q: %v", c[0], c[1], err)
		}
	}
}
