package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// wait is the health gate: every long-running container healthy (or
// running, when it has no healthcheck), every one-shot container exited 0,
// within the timeout. Each change of state or health goes on the
// container's timeline.
func (d *deployer) wait(ctx context.Context, proj *project) error {
	timeout := d.in.HealthTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	started := time.Now()
	last := make([]string, len(d.out.Services))
	for {
		done := 0
		for i := range d.out.Services {
			s := &d.out.Services[i]
			ci, err := d.eng.C.ContainerInspect(ctx, s.ID, client.ContainerInspectOptions{})
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return failure.Wrap(failure.Unknown, err, "inspect %s", s.Container)
			}
			st := ci.Container.State
			health, detail := "", ""
			if st.Health != nil {
				health = string(st.Health.Status)
				if n := len(st.Health.Log); n > 0 {
					detail = strings.TrimSpace(st.Health.Log[n-1].Output)
				}
			}
			if key := string(st.Status) + "/" + health; key != last[i] {
				last[i] = key
				ev := Event{At: since(started), State: string(st.Status), Health: health}
				if st.Status == container.StateExited {
					ev.Detail = fmt.Sprintf("exit code %d", st.ExitCode)
				}
				s.Timeline = append(s.Timeline, ev)
			}
			oneShot := len(proj.Services[s.Name].Ports) == 0 && st.Health == nil
			switch {
			case st.Status == container.StateExited && st.ExitCode == 0 && oneShot:
				s.Health = "exited-0"
				done++
			case st.Status == container.StateExited || st.Status == container.StateDead:
				s.Health = "exited"
				return d.exited(ctx, s, st.ExitCode)
			case st.Health != nil && st.Health.Status == container.Healthy:
				s.Health = "healthy"
				done++
			case st.Health == nil && st.Status == container.StateRunning && !oneShot:
				s.Health = "running"
				done++
			case st.Health != nil && st.Health.Status == container.Unhealthy:
				s.Health = "unhealthy"
				if time.Now().After(deadline) {
					return d.unhealthy(ctx, s, detail, timeout)
				}
			default:
				s.Health = "starting"
			}
		}
		if done == len(d.out.Services) {
			return nil
		}
		if time.Now().After(deadline) {
			for i := range d.out.Services {
				if s := &d.out.Services[i]; s.Health != "healthy" && s.Health != "running" && s.Health != "exited-0" {
					return d.unhealthy(ctx, s, "", timeout)
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (d *deployer) exited(ctx context.Context, s *Service, code int) error {
	tail, _ := d.eng.Logs(context.WithoutCancel(ctx), s.ID, "30")
	name := "logs/" + s.Name + ".exit.txt"
	_, _ = d.env.Art.Write(name, []byte(tail))
	return &failure.Error{Class: failure.ContainerExited, Where: d.env.Art.Rel(name),
		Message: fmt.Sprintf("container %s exited with code %d before it was healthy; last lines: %s", s.Container, code, lastLines(tail, 3))}
}

func (d *deployer) unhealthy(ctx context.Context, s *Service, probe string, timeout time.Duration) error {
	tail, _ := d.eng.Logs(context.WithoutCancel(ctx), s.ID, "30")
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
