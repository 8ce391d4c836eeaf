package main

import "slices"

// Zone indexes, in the order of the description.
const (
	zoneDomestic = iota
	zoneEUNear
	zoneEUFar
	zoneWorld
)

type zone struct {
	name      string
	countries []string // alphabetical
}

var zones = []zone{
	{name: "domestic", countries: []string{"DE"}},
	{name: "eu-near", countries: []string{"AT", "BE", "CH", "CZ", "DK", "FR", "LU", "NL", "PL"}},
	{name: "eu-far", countries: []string{"ES", "FI", "GR", "HU", "IE", "IT", "PT", "RO", "SE"}},
	{name: "world", countries: []string{}},
}

// zoneOf returns the zone index of a valid two-letter country code.
func zoneOf(country string) int {
	for i, z := range zones {
		if slices.Contains(z.countries, country) {
			return i
		}
	}
	return zoneWorld
}

// rate is one carrier's tariff for one zone.
type rate struct {
	served bool
	base   int64 // cents
	perKg  int64 // cents, always even
	days   int64 // transit days
}

func serves(base, perKg, days int64) rate {
	return rate{served: true, base: base, perKg: perKg, days: days}
}

type carrier struct {
	name  string
	rates [4]rate // indexed by zone
}

var carriers = []carrier{
	{name: "swift", rates: [4]rate{serves(490, 120, 1), serves(990, 180, 2), serves(1290, 220, 3), serves(2490, 450, 5)}},
	{name: "parcelo", rates: [4]rate{serves(450, 140, 2), serves(950, 200, 3), serves(1190, 260, 4), {}}},
	{name: "globex", rates: [4]rate{serves(590, 100, 2), serves(1090, 160, 2), serves(1390, 180, 3), serves(2290, 480, 6)}},
}

func carrierByName(name string) (carrier, bool) {
	for _, c := range carriers {
		if c.name == name {
			return c, true
		}
	}
	return carrier{}, false
}

// parcel is a validated request body.
type parcel struct {
	carrier    carrier // only for POST /v1/quote
	country    string
	halfKg     int64 // actual weight rounded up to a multiple of 0.5 kg, in half kilograms
	length     int64 // cm
	width      int64 // cm
	height     int64 // cm
	orderValue int64 // cents
}

// dimensionalKg is ceil(length * width * height / 5000) in whole kg.
func dimensionalKg(p parcel) int64 {
	return (p.length*p.width*p.height + 4999) / 5000
}

// billableHalfKg is the larger of the rounded actual weight and the
// dimensional weight, in half kilograms.
func billableHalfKg(p parcel) int64 {
	return max(p.halfKg, 2*dimensionalKg(p))
}

type quote struct {
	Carrier        string  `json:"carrier"`
	Zone           string  `json:"zone"`
	TransitDays    int64   `json:"transit_days"`
	DimensionalKg  int64   `json:"dimensional_kg"`
	BillableKg     float64 `json:"billable_kg"`
	BaseCents      int64   `json:"base_cents"`
	WeightCents    int64   `json:"weight_cents"`
	SurchargeCents int64   `json:"surcharge_cents"`
	FuelCents      int64   `json:"fuel_cents"`
	DiscountCents  int64   `json:"discount_cents"`
	TotalCents     int64   `json:"total_cents"`
}

// price prices parcel p with carrier c in zone z, which c must serve.
func price(c carrier, z int, p parcel, cfg config) quote {
	rt := c.rates[z]
	half := billableHalfKg(p)
	weight := rt.perKg * half / 2 // exact: perKg is even
	var surcharge int64
	if max(p.length, p.width, p.height) > 100 {
		surcharge += 1200
	}
	if half > 63 { // billable_kg over 31.5
		surcharge += 2000
	}
	subtotal := rt.base + weight + surcharge
	fuel := (2*subtotal*cfg.fuelHundredths + 10000) / 20000
	var discount int64
	if z == zoneDomestic && cfg.freeShippingMin > 0 && p.orderValue >= cfg.freeShippingMin {
		discount = subtotal + fuel
	}
	return quote{
		Carrier:        c.name,
		Zone:           zones[z].name,
		TransitDays:    rt.days,
		DimensionalKg:  dimensionalKg(p),
		BillableKg:     float64(half) / 2,
		BaseCents:      rt.base,
		WeightCents:    weight,
		SurchargeCents: surcharge,
		FuelCents:      fuel,
		DiscountCents:  discount,
		TotalCents:     subtotal + fuel - discount,
	}
}
