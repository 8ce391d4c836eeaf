package release

import (
	"fmt"
	"time"
)

// Decisions.
const (
	Promoted     = "promoted"     // the candidate is the stable release now
	RolledBack   = "rolled_back"  // the candidate was removed; stable keeps serving
	Inconclusive = "inconclusive" // the analysis could not tell; the candidate is not promoted
)

// Thresholds decide a canary.
type Thresholds struct {
	ErrorRate   float64       `json:"error_rate"`
	P99         time.Duration `json:"p99"`
	Margin      float64       `json:"margin"`
	MinRequests int           `json:"min_requests"`
}

// Stats are one version's measurements after the warm-up.
type Stats struct {
	Version   string        `json:"version"` // stable | candidate
	Requests  int           `json:"requests"`
	Errors    int           `json:"errors"` // status not the example's, any 5xx, no answer
	ErrorRate float64       `json:"error_rate"`
	P50       time.Duration `json:"p50"`
	P95       time.Duration `json:"p95"`
	P99       time.Duration `json:"p99"`
	Max       time.Duration `json:"max"`
	Reachable bool          `json:"reachable"` // at least one answer came back
}

// Verdict is the analysis' decision with every reason for it.
type Verdict struct {
	Decision string   `json:"decision"`
	Reasons  []string `json:"reasons"`
}

// Decide compares the candidate with the stable release. The candidate is
// promoted only when every check passes on enough requests; a version
// nothing reached makes the analysis inconclusive, never a promotion.
func Decide(t Thresholds, stable, cand Stats) Verdict {
	switch {
	case !cand.Reachable || !stable.Reachable:
		return Verdict{Inconclusive, []string{fmt.Sprintf("no answer from %s: the load could not reach it", unreachable(stable, cand))}}
	case cand.Requests < t.MinRequests || stable.Requests < t.MinRequests:
		return Verdict{Inconclusive, []string{fmt.Sprintf("too few requests after the warm-up (stable %d, candidate %d; min_requests %d)",
			stable.Requests, cand.Requests, t.MinRequests)}}
	}
	var bad []string
	if cand.ErrorRate > t.ErrorRate {
		bad = append(bad, fmt.Sprintf("candidate error rate %.4f > %.4f (%d of %d requests)", cand.ErrorRate, t.ErrorRate, cand.Errors, cand.Requests))
	}
	if cand.P99 > t.P99 {
		bad = append(bad, fmt.Sprintf("candidate p99 %s > %s", ms(cand.P99), ms(t.P99)))
	}
	// No worse than stable by the margin: p99 within (1+margin) of
	// stable's plus a tenth of the p99 threshold (so that the noise of two
	// fast versions, a few milliseconds, does not decide), and an error
	// rate at most margin/10 above stable's.
	limit := time.Duration(float64(stable.P99)*(1+t.Margin)) + t.P99/10
	if cand.P99 > limit {
		bad = append(bad, fmt.Sprintf("candidate p99 %s is worse than stable's %s by more than %.0f%%", ms(cand.P99), ms(stable.P99), 100*t.Margin))
	}
	if cand.ErrorRate > stable.ErrorRate+t.Margin/10 && cand.ErrorRate > 0 {
		bad = append(bad, fmt.Sprintf("candidate error rate %.4f is worse than stable's %.4f", cand.ErrorRate, stable.ErrorRate))
	}
	if len(bad) > 0 {
		return Verdict{RolledBack, bad}
	}
	return Verdict{Promoted, []string{fmt.Sprintf("candidate error rate %.4f ≤ %.4f, p99 %s ≤ %s, no worse than stable (p99 %s, error rate %.4f) on %d requests",
		cand.ErrorRate, t.ErrorRate, ms(cand.P99), ms(t.P99), ms(stable.P99), stable.ErrorRate, cand.Requests)}}
}

func unreachable(stable, cand Stats) string {
	switch {
	case !stable.Reachable && !cand.Reachable:
		return "either version"
	case !stable.Reachable:
		return "the stable release"
	}
	return "the candidate"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
