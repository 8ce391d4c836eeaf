package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// poll is how often the health gate looks at the containers and probes
// the spec's service from the host.
const poll = 100 * time.Millisecond

// gate is one wait for health.
type gate struct {
	started  time.Time
	deadline time.Time
	timeout  time.Duration
	last     []string // per service, the state/health last put on its timeline
	probe    *prober
}

// wait is the health gate: every long-running container healthy (or
// running, when it has no healthcheck), every one-shot container exited 0,
// within the timeout. Each change of state or health goes on the
// container's timeline.
func (d *deployer) wait(ctx context.Context) error {
	timeout := d.in.HealthTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	g := &gate{started: time.Now(), deadline: time.Now().Add(timeout), timeout: timeout, last: make([]string, len(d.out.Services)), probe: d.newProber()}
	for {
		done := 0
		for i := range d.out.Services {
			ready, err := d.check(ctx, g, &d.out.Services[i], i)
			if err != nil {
				return err
			}
			if ready {
				done++
			}
		}
		if done == len(d.out.Services) {
			return nil
		}
		if time.Now().After(g.deadline) {
			s := d.firstNotReady()
			return d.unhealthy(ctx, s, g.probe.said(s), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// check looks at one container once: its timeline gets any change, its
// Health the verdict. A container that exited, or is still unhealthy at
// the deadline, is the gate's failure.
func (d *deployer) check(ctx context.Context, g *gate, s *Service, i int) (bool, error) {
	st, err := d.daemon.ContainerState(ctx, s.ID)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, failure.Wrap(failure.Unknown, err, "inspect %s", s.Container)
	}
	g.record(s, i, st)
	oneShot := len(d.proj.Services[s.Name].Ports) == 0 && st.Health == nil
	probed := s.ReadyBy == ReadyByProbe // answered already: stays ready while it runs
	s.Health, s.DockerHealth = verdict(st, oneShot), dockerHealth(st)
	s.ReadyBy = readyBy(s.Health)
	if !ready(s.Health) && st.Status == container.StateRunning && (probed || g.probe.try(ctx, s, g.deadline)) {
		s.Health, s.ReadyBy = "healthy", ReadyByProbe
		if !probed {
			s.Timeline = append(s.Timeline, Event{At: since(g.started), State: string(st.Status), Health: s.DockerHealth,
				Detail: fmt.Sprintf("%s: GET %s answered 2xx (try %d)", ReadyByProbe, g.probe.url, g.probe.tries)})
		}
	}
	switch s.Health {
	case "exited":
		return false, d.exited(ctx, s, st.ExitCode)
	case "unhealthy":
		if time.Now().After(g.deadline) {
			return false, d.unhealthy(ctx, s, join(lastProbe(st), g.probe.said(s)), g.timeout)
		}
	}
	return ready(s.Health), nil
}

// verdict is a container's Health from its state. A one-shot container
// (no ports, no healthcheck) is done when it exited 0.
func verdict(st container.State, oneShot bool) string {
	switch {
	case st.Status == container.StateExited && st.ExitCode == 0 && oneShot:
		return "exited-0"
	case st.Status == container.StateExited || st.Status == container.StateDead:
		return "exited"
	case st.Health != nil && st.Health.Status == container.Healthy:
		return "healthy"
	case st.Health == nil && st.Status == container.StateRunning && !oneShot:
		return "running"
	case st.Health != nil && st.Health.Status == container.Unhealthy:
		return "unhealthy"
	}
	return "starting"
}

func ready(health string) bool {
	return health == "healthy" || health == "running" || health == "exited-0"
}

func (d *deployer) firstNotReady() *Service {
	for i := range d.out.Services {
		if s := &d.out.Services[i]; !ready(s.Health) {
			return s
		}
	}
	return nil
}

// record puts a change of the container's state or health on its timeline.
func (g *gate) record(s *Service, i int, st container.State) {
	health := ""
	if st.Health != nil {
		health = string(st.Health.Status)
	}
	key := string(st.Status) + "/" + health
	if key == g.last[i] {
		return
	}
	g.last[i] = key
	ev := Event{At: since(g.started), State: string(st.Status), Health: health}
	if st.Status == container.StateExited {
		ev.Detail = fmt.Sprintf("exit code %d", st.ExitCode)
	}
	s.Timeline = append(s.Timeline, ev)
}

// lastProbe is what the healthcheck said last.
func lastProbe(st container.State) string {
	if st.Health == nil || len(st.Health.Log) == 0 {
		return ""
	}
	return strings.TrimSpace(st.Health.Log[len(st.Health.Log)-1].Output)
}

func (d *deployer) exited(ctx context.Context, s *Service, code int) error {
	tail, _ := d.daemon.Logs(context.WithoutCancel(ctx), s.ID, "30")
	name := "logs/" + s.Name + ".exit.txt"
	_, _ = d.env.Art.Write(name, []byte(tail))
	return &failure.Error{Class: failure.ContainerExited, Where: d.env.Art.Rel(name),
		Message: fmt.Sprintf("container %s exited with code %d before it was healthy; last lines: %s", s.Container, code, lastLines(tail, 3))}
}

func (d *deployer) unhealthy(ctx context.Context, s *Service, probe string, timeout time.Duration) error {
	tail, _ := d.daemon.Logs(context.WithoutCancel(ctx), s.ID, "30")
	name := "logs/" + s.Name + ".unhealthy.txt"
	_, _ = d.env.Art.Write(name, []byte(fmt.Sprintf("healthcheck output: %s\n\nlast log lines:\n%s", probe, tail)))
	msg := fmt.Sprintf("container %s was not healthy within %s (phases.deploy.health_timeout)", s.Container, timeout)
	if probe != "" {
		msg += "; the healthcheck said: " + oneLine(probe)
	}
	return &failure.Error{Class: failure.HealthcheckFailed, Where: d.env.Art.Rel(name), Message: msg}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return oneLine(strings.Join(lines, " | "))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// dockerHealth is Docker's own health status of a container, "" when it
// has no healthcheck.
func dockerHealth(st container.State) string {
	if st.Health == nil {
		return ""
	}
	return string(st.Health.Status)
}

// readyBy says what made a ready verdict.
func readyBy(health string) string {
	switch health {
	case "healthy":
		return ReadyByDocker
	case "running":
		return ReadyByRunning
	case "exited-0":
		return ReadyByExit0
	}
	return ""
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
