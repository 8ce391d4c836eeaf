package release

import (
	"strings"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	th := Thresholds{ErrorRate: 0.005, P99: 800 * time.Millisecond, Margin: 0.5, MinRequests: 20}
	ok := Stats{Requests: 100, Reachable: true, P99: 10 * time.Millisecond}
	for _, c := range []struct {
		name         string
		stable, cand Stats
		want, reason string
	}{
		{"good", ok, ok, Promoted, "no worse than stable"},
		{"errors", ok, Stats{Requests: 100, Errors: 4, ErrorRate: 0.04, Reachable: true, P99: 10 * time.Millisecond}, RolledBack, "error rate 0.0400 > 0.0050"},
		{"slow", ok, Stats{Requests: 100, Reachable: true, P99: time.Second}, RolledBack, "p99 1000.0ms > 800.0ms"},
		{"worse than stable", Stats{Requests: 100, Reachable: true, P99: 100 * time.Millisecond}, Stats{Requests: 100, Reachable: true, P99: 300 * time.Millisecond}, RolledBack, "worse than stable's 100.0ms by more than 50%"},
		{"within margin", Stats{Requests: 100, Reachable: true, P99: 100 * time.Millisecond}, Stats{Requests: 100, Reachable: true, P99: 220 * time.Millisecond}, Promoted, ""},
		{"noise of two fast versions", Stats{Requests: 100, Reachable: true, P99: 2 * time.Millisecond}, Stats{Requests: 100, Reachable: true, P99: 7 * time.Millisecond}, Promoted, ""},
		{"candidate unreachable", ok, Stats{}, Inconclusive, "no answer from the candidate"},
		{"nothing reachable", Stats{}, Stats{}, Inconclusive, "either version"},
		{"too few", ok, Stats{Requests: 5, Reachable: true}, Inconclusive, "too few requests"},
	} {
		v := Decide(th, c.stable, c.cand)
		if v.Decision != c.want || !strings.Contains(strings.Join(v.Reasons, "; "), c.reason) {
			t.Errorf("%s: %+v, want %s (%q)", c.name, v, c.want, c.reason)
		}
	}
}

func TestShareIsSpreadEvenly(t *testing.T) {
	for _, share := range []float64{0.05, 0.3, 0.5} {
		n, run, longest := 0, 0, 0
		for i := uint64(0); i < 1000; i++ {
			if toCandidate(i, share) {
				n++
				run = 0
			} else if run++; run > longest {
				longest = run
			}
		}
		if want := int(1000 * share); n != want || longest > int(1/share) {
			t.Errorf("share %.2f: %d of 1000 to the candidate (want %d), longest gap %d", share, n, want, longest)
		}
	}
}

func TestStatsSkipTheWarmup(t *testing.T) {
	ss := []Sample{
		{Version: "candidate", At: 0, Latency: time.Second, Code: 500, Error: "answered 500"},
		{Version: "candidate", At: 2 * time.Second, Latency: 5 * time.Millisecond, Code: 202},
		{Version: "candidate", At: 3 * time.Second, Latency: 7 * time.Millisecond, Code: 400, Error: "answered 400, the example says 202"},
		{Version: "stable", At: 3 * time.Second, Latency: time.Millisecond, Code: 202},
	}
	st := stats("candidate", ss, time.Second)
	if st.Requests != 2 || st.Errors != 1 || st.ErrorRate != 0.5 || !st.Reachable || st.Max != 7*time.Millisecond {
		t.Errorf("%+v", st)
	}
	if s := stats("stable", ss, time.Second); s.Requests != 1 || s.Errors != 0 {
		t.Errorf("stable %+v", s)
	}
}
