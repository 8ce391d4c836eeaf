package main

import (
	"errors"
	"fmt"
	"math"
	"sort"
	str "strings"
)

type item struct {
	SKU       string `json:"sku"`
	Qty       int    `json:"qty"`
	UnitCents int    `json:"unit_cents"`
}

type quote struct {
	Items    int  `json:"items"`
	Subtotal int  `json:"subtotal"`
	Discount int  `json:"discount"`
	Shipping int  `json:"shipping"`
	Tax      int  `json:"tax"`
	Total    int  `json:"total"`
	FreeShip bool `json:"free_shipping"`
}

// tier is a volume discount: MinQty items or more get Percent off.
type tier struct {
	MinQty  int `json:"min_qty"`
	Percent int `json:"percent"`
}

var tiers = []tier{{10, 5}, {50, 10}, {100, 15}}

const taxRate = 0.08

// discountPercent is the best tier the quantity reaches.
func discountPercent(qty int) int {
	best := 0
	for _, t := range tiers {
		if qty >= t.MinQty && t.Percent > best {
			best = t.Percent
		}
	}
	return best
}

// shipping is free from 100.00; below, 4.99 plus 0.5 per item, rounded up.
func shipping(subtotal, qty int) int {
	if subtotal >= 10000 {
		return 0
	}
	return int(math.Ceil(499 + float64(qty)*0.5*100))
}

func tax(cents int) int {
	return int(math.Round(float64(cents) * taxRate))
}

func priceQuote(items []item) (quote, error) {
	if len(items) == 0 {
		return quote{}, errors.New("the basket is empty")
	}
	var q quote
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it.Qty <= 0 || it.UnitCents < 0 {
			return quote{}, fmt.Errorf("%s: quantity must be positive and price not negative", it.SKU)
		}
		q.Items += it.Qty
		q.Subtotal += it.Qty * it.UnitCents
	}
	q.Discount = q.Subtotal * discountPercent(q.Items) / 100
	after := q.Subtotal - q.Discount
	q.Shipping = shipping(after, q.Items)
	q.FreeShip = q.Shipping == 0
	q.Tax = tax(after)
	q.Total = after + q.Shipping + q.Tax
	return q, nil
}

// sortedTiers lists the tiers from the largest quantity down, at most limit.
func sortedTiers(limit int) []tier {
	out := append([]tier(nil), tiers...)
	sort.Slice(out, func(i, j int) bool { return out[i].MinQty > out[j].MinQty })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// parseCents reads "12.34" as 1234.
func parseCents(s string) (int, error) {
	whole, frac, _ := str.Cut(str.TrimSpace(s), ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var w, f int
	if _, err := fmt.Sscanf(whole+" "+frac, "%d %d", &w, &f); err != nil {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	return w*100 + f, nil
}

func formatCents(c int) string {
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
