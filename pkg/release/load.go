package release

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// example is one of the spec's examples as a request, with the status it
// must be answered with.
type example struct {
	Name   string
	Method string
	Path   string // with its query
	Body   []byte
	Status int
}

// examples are the spec's examples, in order: the load's mix.
func examples(sp spec.Service) []example {
	var out []example
	for _, e := range sp.Endpoints {
		for _, x := range e.Examples {
			p := e.Path
			if len(x.Query) > 0 {
				q := url.Values{}
				for k, v := range x.Query {
					q.Set(k, v)
				}
				p += "?" + q.Encode()
			}
			var body []byte
			if x.Body != nil {
				body, _ = json.Marshal(x.Body) // a YAML-decoded value always encodes
			}
			out = append(out, example{Name: x.Name, Method: e.Method, Path: p, Body: body, Status: x.Status})
		}
	}
	return out
}

// Sample is one request of the load.
type Sample struct {
	Version string        `json:"version"`
	Example string        `json:"example"`
	At      time.Duration `json:"at"` // since the load began
	Latency time.Duration `json:"latency"`
	Code    int           `json:"code"`
	Error   string        `json:"error,omitempty"` // why it counts as an error
}

// Load is the traffic of a canary.
type Load struct {
	Stable, Candidate string // base URLs
	Share             float64
	Rate              int
	Duration          time.Duration
	Timeout           time.Duration // per request
}

// Run drives both versions with the examples in turn at the rate, the
// share of requests going to the candidate spread evenly, and returns
// every request's outcome in time order.
func (l Load) Run(ctx context.Context, exs []example) ([]Sample, error) {
	if len(exs) == 0 {
		return nil, fmt.Errorf("the spec has no examples to drive the load with")
	}
	var n atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		i := n.Add(1) - 1
		base := l.Stable
		if toCandidate(i, l.Share) {
			base = l.Candidate
		}
		x := exs[int(i%uint64(len(exs)))]
		// The fragment is never sent: it tells the result which example it was.
		t.Method, t.URL, t.Body = x.Method, base+x.Path+"#"+strconv.Itoa(int(i%uint64(len(exs)))), x.Body
		t.Header = http.Header{"Content-Type": []string{"application/json"}}
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(l.Timeout), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow), vegeta.MaxBody(4096))
	pacer := vegeta.ConstantPacer{Freq: l.Rate, Per: time.Second}
	var out []Sample
	var began time.Time
	results := atk.Attack(targeter, pacer, l.Duration, "canary")
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			for range results {
			}
			return out, ctx.Err()
		case r, ok := <-results:
			if !ok {
				sort.Slice(out, func(i, j int) bool { return out[i].At < out[j].At })
				return out, nil
			}
			if began.IsZero() || r.Timestamp.Before(began) {
				began = r.Timestamp // the first result may not be the first sent
			}
			out = append(out, l.sample(r, exs, began))
		}
	}
}

// toCandidate spreads share of the requests evenly: request i goes to the
// candidate when it crosses the next multiple of 1/share.
func toCandidate(i uint64, share float64) bool {
	return uint64(float64(i+1)*share) > uint64(float64(i)*share)
}

func (l Load) sample(r *vegeta.Result, exs []example, began time.Time) Sample {
	s := Sample{Version: "stable", At: r.Timestamp.Sub(began), Latency: r.Latency, Code: int(r.Code)}
	if strings.HasPrefix(r.URL, l.Candidate) {
		s.Version = "candidate"
	}
	want := 0
	if _, frag, ok := strings.Cut(r.URL, "#"); ok {
		if i, err := strconv.Atoi(frag); err == nil && i < len(exs) {
			s.Example, want = exs[i].Name, exs[i].Status
		}
	}
	switch {
	case r.Error != "" && r.Code == 0:
		s.Error = "no answer: " + r.Error
	case r.Code >= 500:
		s.Error = fmt.Sprintf("answered %d", r.Code)
	case want != 0 && int(r.Code) != want:
		s.Error = fmt.Sprintf("answered %d, the example says %d", r.Code, want)
	}
	return s
}

// stats summarise one version's samples after the warm-up. Latencies go
// through vegeta's histogram (a t-digest).
func stats(version string, samples []Sample, warmup time.Duration) Stats {
	st := Stats{Version: version}
	var lat vegeta.LatencyMetrics
	for _, s := range samples {
		if s.Version != version {
			continue
		}
		if s.Code != 0 {
			st.Reachable = true
		}
		if s.At < warmup {
			continue
		}
		st.Requests++
		if s.Error != "" {
			st.Errors++
		}
		lat.Add(s.Latency)
	}
	if st.Requests > 0 {
		st.ErrorRate = float64(st.Errors) / float64(st.Requests)
		st.P50, st.P95, st.P99, st.Max = lat.Quantile(0.50), lat.Quantile(0.95), lat.Quantile(0.99), lat.Max
	}
	return st
}
