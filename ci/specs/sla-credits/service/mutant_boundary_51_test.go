package main

import "testing"

func TestLoadTiersAcceptsMinAvailabilityOfExactly100(t *testing.T) {
	raw := `[{"name":"perfect","min_availability":100,"credit_percent":0},{"name":"rest","min_availability":0,"credit_percent":20}]`
	tiers, err := loadTiers(raw)
	if err != nil {
		t.Fatalf("loadTiers rejected min_availability 100: %v", err)
	}
	if len(tiers) != 2 || tiers[0].Name != "perfect" || tiers[0].MinAvailability != 100 {
		t.Fatalf("tiers = %+v, want perfect(100) first", tiers)
	}
	if got := tierFor(tiers, 100).Name; got != "perfect" {
		t.Errorf("tierFor(100) = %q, want perfect", got)
	}
	if got := tierFor(tiers, 99.999).Name; got != "rest" {
		t.Errorf("tierFor(99.999) = %q, want rest", got)
	}

	tooHigh := `[{"name":"over","min_availability":100.5,"credit_percent":0},{"name":"rest","min_availability":0,"credit_percent":20}]`
	if _, err := loadTiers(tooHigh); err == nil {
		t.Errorf("loadTiers accepted min_availability 100.5")
	}
}
