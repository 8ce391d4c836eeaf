package pipeline

import (
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/deploy"
	"github.com/orchestrate-dev/orchestrate/pkg/notify"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/release"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// notifyChannels tells the configured channels how the run ended. A failed
// delivery is reported in the summary and the audit log, never a failure
// of the run.
func (s *State) notifyChannels(ctx context.Context, sum *summary.Summary, now func() time.Time) []notify.Delivery {
	chans := s.Config.Notify.Channels
	if len(chans) == 0 {
		return nil
	}
	env := map[string]string{}
	for _, kv := range s.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	sender := notify.Sender{Client: &http.Client{}, Getenv: func(k string) string { return env[k] }, Attempts: s.Config.Notify.Attempts,
		BaseDelay: 500 * time.Millisecond, MaxDelay: 5 * time.Second, Timeout: s.Config.Notify.Timeout, Now: now}
	ds := sender.Send(ctx, chans, s.event(ctx, sum, now))
	for _, d := range ds {
		_ = s.Run.Event("", "", "notify", map[string]any{"channel": d.Channel, "sent": d.Sent, "attempts": d.Attempts, "status": d.Status, "error": d.Error, "skipped": d.Skipped})
	}
	return ds
}

// event is what the notifications say.
func (s *State) event(ctx context.Context, sum *summary.Summary, now func() time.Time) notify.Event {
	ev := notify.Event{Service: s.Config.Service.Name, RunID: s.Run.ID, Outcome: string(sum.Status), ExitCode: sum.ExitCode,
		Release: "not_attempted", Rollback: "not_attempted", Report: filepath.Join(s.Run.Dir, "report.html"), At: now()}
	if d, _, ok := Ran[deploy.Output](s, phase.Deploy); ok {
		ev.Version = d.Image.Tag
	}
	if r, _, ok := Ran[release.Output](s, release.Name); ok && r.Decision != "" {
		ev.Release, ev.Rollback = r.Decision, "not_needed"
		if r.Decision == release.RolledBack {
			ev.Rollback = "rolled_back"
		}
	}
	if len(sum.Failures) > 0 {
		ev.Reason = sum.Failures[0].Message
		if len(ev.Reason) > 300 {
			ev.Reason = ev.Reason[:299] + "…"
		}
	}
	if b, err := exec.CommandContext(ctx, "git", "-C", s.Workdir, "rev-parse", "--short", "HEAD").Output(); err == nil {
		ev.Commit = strings.TrimSpace(string(b))
	}
	return ev
}
