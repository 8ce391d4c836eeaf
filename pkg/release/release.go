// Package release is the phase after the tests: a run whose tests passed
// makes its image the service's stable release (the one before is kept as
// previous, for a rollback). With the canary strategy the candidate is
// first compared with the stable release under load from the spec's
// examples and promoted or rolled back on its error rate and p99, with the
// evidence.
package release

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// Name is the phase's name.
const Name = "release"

// Strategies.
const (
	Replace = "replace"
	Canary  = "canary"
)

// Settings is the phase's part of the config (phases.deploy.strategy and
// phases.deploy.canary): replace by default; a canary
// sends 5% of 50 requests a second for 20 s (5 s of warm-up) and allows an
// error rate of 0.005 and a p99 of 800 ms, no worse than stable by 50%.
var Settings = config.SectionOf(Name, "deploy", Config{Strategy: Replace, Canary: CanarySettings{Share: 0.05, Rate: 50, Duration: 20 * time.Second,
	Warmup: 5 * time.Second, ErrorRate: 0.005, P99: 800 * time.Millisecond, Margin: 0.5, MinRequests: 20, Health: 30 * time.Second}},
	func(c *config.Config) error {
		r := config.Get[Config](c, Name)
		k := func(key, msg string) error { return &config.KeyError{Key: "phases.deploy." + key, Msg: msg} }
		switch {
		case r.Strategy != Replace && r.Strategy != Canary:
			return k("strategy", fmt.Sprintf("%q must be replace or canary", r.Strategy))
		case r.Canary.Share <= 0 || r.Canary.Share >= 1:
			return k("canary.share", "must be between 0 and 1 (exclusive)")
		case r.Canary.Rate < 1 || r.Canary.Duration <= 0 || r.Canary.Warmup < 0 || r.Canary.Warmup >= r.Canary.Duration:
			return k("canary", "rate must be at least 1, duration positive, warmup shorter than duration")
		case r.Canary.ErrorRate < 0 || r.Canary.P99 <= 0 || r.Canary.Margin < 0 || r.Canary.MinRequests < 1 || r.Canary.Health <= 0:
			return k("canary", "error_rate and margin must not be negative; p99, min_requests and health_timeout must be positive")
		}
		return nil
	})

// Config is the phase's part of the config: the strategy and canary keys
// under phases.deploy, beside the deploy phase's own.
type Config struct {
	// Strategy: "replace" (the image becomes the stable release once the
	// tests pass) or "canary" (it is compared with the stable release
	// under load from the spec's examples first, then promoted or rolled
	// back).
	Strategy string         `yaml:"strategy" json:"strategy"`
	Canary   CanarySettings `yaml:"canary" json:"canary"`
}

// CanarySettings are the analysis of a candidate beside the stable release.
type CanarySettings struct {
	Share     float64       `yaml:"share" json:"share"`           // of the requests, to the candidate
	Rate      int           `yaml:"rate" json:"rate"`             // requests per second, both versions
	Duration  time.Duration `yaml:"duration" json:"duration"`     // of the load, warm-up included
	Warmup    time.Duration `yaml:"warmup" json:"warmup"`         // excluded from the verdict
	ErrorRate float64       `yaml:"error_rate" json:"error_rate"` // the candidate's highest
	P99       time.Duration `yaml:"p99" json:"p99"`               // the candidate's highest
	// Margin: the candidate may be worse than stable by at most this
	// share of stable's p99 (and this many points of error rate / 10).
	Margin      float64       `yaml:"margin" json:"margin"`
	MinRequests int           `yaml:"min_requests" json:"min_requests"` // per version, or the analysis is inconclusive
	Health      time.Duration `yaml:"health_timeout" json:"health_timeout"`
}

// Input of the release phase.
type Input struct {
	Spec        spec.Service   `json:"spec"`
	RunID       string         `json:"run_id"`
	DockerHost  string         `json:"docker_host,omitempty"`
	Strategy    string         `json:"strategy"`
	Canary      CanarySettings `json:"canary"`
	TestsPassed bool           `json:"tests_passed"`
	// Image is the id of the image the deploy phase's Output names: the
	// candidate (an earlier run's when that Output was reused).
	Image string `json:"image,omitempty"`
	// Service is the deployment; when the deploy phase's Output was reused
	// nothing of it runs, and the phase starts it before it looks for the
	// candidate.
	Service phase.Service `json:"-"`
}

// Configure builds the phase's Input: the tests must have passed.
func Configure(s phase.Setup) (Input, error) {
	_, passed := s.Done(phase.Test)
	r := config.Get[Config](s.Config, Name)
	in := Input{Spec: s.Config.Service, RunID: s.RunID, DockerHost: s.Config.Docker.Host, Strategy: r.Strategy, Canary: r.Canary, TestsPassed: passed}
	if o, ok := s.Done(phase.Deploy); ok {
		if d, ok := o.(interface{ ImageID() string }); ok {
			in.Image = d.ImageID()
		}
		if d, ok := o.(interface{ Service() phase.Service }); ok {
			in.Service = d.Service()
		}
	}
	return in, nil
}

// Output of the release phase.
type Output struct {
	Strategy  string   `json:"strategy"`
	Decision  string   `json:"decision"` // promoted | rolled_back | inconclusive
	Reasons   []string `json:"reasons"`
	Degraded  string   `json:"degraded,omitempty"` // why a canary became a plain promotion
	Candidate string   `json:"candidate_image"`
	Previous  string   `json:"previous_image,omitempty"` // the stable release before this run
	Stable    string   `json:"stable_image,omitempty"`   // the stable release after this run
	StableURL string   `json:"stable_url,omitempty"`     // where the stable release answered during the canary
	Stats     []Stats  `json:"stats,omitempty"`
	Samples   string   `json:"samples,omitempty"` // every request of the load, relative to the run directory
	Chart     string   `json:"chart,omitempty"`   // both versions' latency and errors, SVG
	Repo      string   `json:"repo"`              // the image repository of the releases: :stable, :previous
	Seconds   float64  `json:"seconds"`
}

// Run runs the phase.
func Run(ctx context.Context, env phase.Env, in Input) (Output, error) {
	out := Output{Strategy: in.Strategy, Repo: Repo(in.Spec.Name)}
	if !in.TestsPassed {
		return out, phase.Skip("the tests did not pass (or did not run): nothing is released")
	}
	e, err := docker.Connect(ctx, in.DockerHost)
	if err != nil {
		return out, err
	}
	defer e.Close()
	r := &releaser{env: env, in: in, g: engine{e}, out: &out, start: env.Now()}
	defer func() { out.Seconds = env.Now().Sub(r.start).Seconds() }()
	return out, r.run(ctx)
}

type releaser struct {
	env   phase.Env
	in    Input
	g     engine
	out   *Output
	start time.Time
	cand  Candidate
}

func (r *releaser) run(ctx context.Context) error {
	if err := r.deployed(ctx); err != nil {
		return err
	}
	var err error
	r.cand, err = r.g.candidate(ctx, r.in.RunID, r.in.Spec.Name, r.in.Spec.Port)
	if err != nil {
		return failure.Wrap(failure.Unknown, err, "find the candidate")
	}
	r.out.Candidate = r.cand.Image
	if r.out.Previous, err = r.g.image(ctx, Repo(r.in.Spec.Name)+":stable"); err != nil {
		return failure.Wrap(failure.Unknown, err, "look for the stable release")
	}
	switch {
	case r.in.Strategy == Replace:
		return r.promote(ctx, "the tests passed (strategy replace)")
	case r.out.Previous == "":
		r.out.Degraded = "no stable release yet (a first run): the canary became a plain deploy"
		return r.promote(ctx, r.out.Degraded)
	case r.out.Previous == r.cand.Image:
		r.out.Degraded = "the candidate is the stable release's image: nothing to compare"
		return r.promote(ctx, r.out.Degraded)
	}
	return r.canary(ctx)
}

// promote makes the candidate the stable release and records why.
func (r *releaser) promote(ctx context.Context, why string) error {
	id, err := r.g.promote(ctx, r.in.Spec.Name, r.cand.Image)
	if err != nil {
		return failure.Wrap(failure.Unknown, err, "promote the candidate")
	}
	r.out.Stable = id
	return r.decide(Verdict{Promoted, []string{why}})
}

// decide records the decision in the audit chain and the log, and says
// what it means for the run.
func (r *releaser) decide(v Verdict) error {
	r.out.Decision, r.out.Reasons = v.Decision, v.Reasons
	ev := map[string]any{"decision": v.Decision, "reasons": v.Reasons, "candidate": r.out.Candidate, "previous": r.out.Previous, "stable": r.out.Stable}
	if err := r.env.Art.Event("release.decision", ev); err != nil {
		return err
	}
	fmt.Fprintf(r.env.Log, "release: %s: %s\n", v.Decision, strings.Join(v.Reasons, "; "))
	switch v.Decision {
	case RolledBack:
		return &failure.Error{Class: failure.CanaryFailed, Message: "the candidate was rolled back: " + strings.Join(v.Reasons, "; "), Where: r.env.Art.Rel("output.json")}
	case Inconclusive:
		return &failure.Error{Class: failure.CanaryFailed, Partial: true, Message: "the canary was inconclusive; the candidate was not promoted: " + strings.Join(v.Reasons, "; "), Where: r.env.Art.Rel("output.json")}
	}
	return nil
}

// canary runs the stable release beside the candidate, drives both with
// the spec's examples, and promotes or rolls back.
func (r *releaser) canary(ctx context.Context) error {
	c := r.in.Canary
	if err := waitHealthy(ctx, r.cand.URL, c.Health); err != nil {
		r.rollback(ctx)
		return r.decide(Verdict{RolledBack, []string{"the candidate never became healthy: rolled back before traffic (" + err.Error() + ")"}})
	}
	port, err := freePort()
	if err != nil {
		return failure.Wrap(failure.PortConflict, err, "find a free port for the stable release")
	}
	name := strings.ToLower(fmt.Sprintf("%s-stable-%s", r.in.Spec.Name, r.in.RunID))
	if _, err := r.g.startStable(ctx, r.cand, Repo(r.in.Spec.Name)+":stable", name, port); err != nil {
		return failure.Wrap(failure.Unknown, err, "start the stable release beside the candidate")
	}
	r.out.StableURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHealthy(ctx, r.out.StableURL, c.Health); err != nil {
		return r.decide(Verdict{Inconclusive, []string{"the stable release never became healthy: nothing to compare with (" + err.Error() + ")"}})
	}
	load := Load{Stable: r.out.StableURL, Candidate: r.cand.URL, Share: c.Share, Rate: c.Rate, Duration: c.Duration,
		Timeout: 5 * time.Second}
	fmt.Fprintf(r.env.Log, "canary: %d req/s for %s, %.0f%% to the candidate, warm-up %s\n", c.Rate, c.Duration, 100*c.Share, c.Warmup)
	samples, err := load.Run(ctx, examples(r.in.Spec))
	if err != nil {
		return failure.Wrap(failure.Unknown, err, "drive the canary's load")
	}
	if err := r.evidence(samples); err != nil {
		return err
	}
	st, ca := stats("stable", samples, c.Warmup), stats("candidate", samples, c.Warmup)
	r.out.Stats = []Stats{st, ca}
	v := Decide(Thresholds{ErrorRate: c.ErrorRate, P99: c.P99, Margin: c.Margin, MinRequests: c.MinRequests}, st, ca)
	if v.Decision == Promoted {
		id, err := r.g.promote(ctx, r.in.Spec.Name, r.cand.Image)
		if err != nil {
			return failure.Wrap(failure.Unknown, err, "promote the candidate")
		}
		r.out.Stable = id
	} else {
		r.rollback(ctx)
	}
	return r.decide(v)
}

// rollback removes the candidate: the stable release keeps serving.
func (r *releaser) rollback(ctx context.Context) {
	if err := r.g.remove(context.WithoutCancel(ctx), r.cand.ID); err != nil {
		fmt.Fprintf(r.env.Log, "remove the candidate's container: %v\n", err)
	}
	r.out.Stable = r.out.Previous
}

// evidence keeps every request of the load and the chart.
func (r *releaser) evidence(samples []Sample) error {
	if _, err := r.env.Art.WriteJSON("canary-samples.json", samples); err != nil {
		return err
	}
	r.out.Samples = r.env.Art.Rel("canary-samples.json")
	if _, err := r.env.Art.Write("canary.svg", chart(samples, r.in.Canary.Warmup)); err != nil {
		return err
	}
	r.out.Chart = r.env.Art.Rel("canary.svg")
	return nil
}

// waitHealthy polls url/healthz every 100 ms until it answers 200.
func waitHealthy(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	last := "no answer"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("answered %d", resp.StatusCode)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("/healthz %s after %s", last, timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
