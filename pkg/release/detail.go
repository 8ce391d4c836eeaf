package release

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Detail is what the report shows of the release.
func (o Output) Detail() phase.Detail {
	d := phase.Detail{Phase: Name}
	if o.Decision == "" {
		return d
	}
	d.Facts = append(d.Facts, fmt.Sprintf("strategy %s: %s — %s", o.Strategy, strings.ReplaceAll(o.Decision, "_", " "), strings.Join(o.Reasons, "; ")))
	if o.Degraded != "" {
		d.Facts = append(d.Facts, "canary degraded: "+o.Degraded)
	}
	for _, s := range o.Stats {
		d.Facts = append(d.Facts, fmt.Sprintf("%s: %d requests after the warm-up, error rate %.4f (%d), p50 %s, p95 %s, p99 %s, max %s",
			s.Version, s.Requests, s.ErrorRate, s.Errors, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max)))
	}
	if o.Stable != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("stable release now %s (%s:stable); previous %s", short(o.Stable), o.Repo, orDash(short(o.Previous))))
	}
	if o.Chart != "" {
		d.Figures = append(d.Figures, phase.Figure{Title: "canary: latency of both versions (errors as crosses)", Path: o.Chart})
		d.Facts = append(d.Facts, "every request of the load: "+o.Samples)
	}
	return d
}

func short(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
