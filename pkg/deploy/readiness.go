package deploy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// How a service was found ready (Service.ReadyBy).
const (
	ReadyByProbe   = "host probe"         // its health endpoint answered 2xx through the published port
	ReadyByDocker  = "docker healthcheck" // Docker said healthy first
	ReadyByRunning = "running"            // no healthcheck: running is ready
	ReadyByExit0   = "exited 0"           // a one-shot job that finished
)

// probeTimeout bounds one host probe.
const probeTimeout = time.Second

// healthRe is a health endpoint's path: /healthz, /health, /readyz, /ready, /livez.
var healthRe = regexp.MustCompile(`(?i)/(healthz?|readyz?|livez)$`)

// healthPath is the spec's health endpoint (a GET whose path says so),
// "" when it has none.
func healthPath(s spec.Service) string {
	for _, e := range s.Endpoints {
		if strings.EqualFold(e.Method, "GET") && healthRe.MatchString(e.Path) {
			return e.Path
		}
	}
	return ""
}

// prober is the host-side readiness check of the spec's service: from the
// moment its container runs, GET its health endpoint through the published
// port at every look of the gate; the first 2xx answer opens the gate,
// whatever Docker's healthcheck (which runs at its own interval) says yet.
type prober struct {
	service string // the compose service probed; "" when none is
	url     string
	get     func(ctx context.Context, url string) error
	last    string // what the last probe that failed said
	tries   int
}

// newProber probes the spec's service when the spec names a health
// endpoint and the service publishes the spec's port.
func (d *deployer) newProber() *prober {
	p := &prober{get: d.in.Probe}
	if p.get == nil {
		p.get = httpProbe
	}
	path := healthPath(d.in.Spec)
	if path == "" || d.out.URL == "" {
		return p
	}
	p.url = d.out.URL + path
	for _, s := range d.out.Services {
		if s.Name == d.in.Spec.Name || len(d.out.Services) == 1 {
			p.service = s.Name
		}
	}
	return p
}

// try probes once when s is the probed service; true on a 2xx answer.
func (p *prober) try(ctx context.Context, s *Service, deadline time.Time) bool {
	if p == nil || p.service == "" || s.Name != p.service {
		return false
	}
	p.tries++
	timeout := min(probeTimeout, max(time.Until(deadline), 10*time.Millisecond))
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := p.get(pctx, p.url); err != nil {
		p.last = err.Error()
		return false
	}
	return true
}

// said is what the last failed probe said, for a failure's message.
func (p *prober) said(s *Service) string {
	if p == nil || s == nil || s.Name != p.service || p.last == "" {
		return ""
	}
	return fmt.Sprintf("host probe GET %s (%d tries): %s", p.url, p.tries, p.last)
}

// probeTransport opens a connection per probe: the container it reaches
// is soon gone, and no proxy stands between the host and it.
var probeTransport = &http.Transport{DisableKeepAlives: true}

// httpProbe is one GET of the health endpoint: nil on a 2xx answer.
func httpProbe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := probeTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
