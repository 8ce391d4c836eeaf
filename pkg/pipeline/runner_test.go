package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

type in struct{ N int }
type out struct{ Done bool }

// fake builds a phase that runs fn; the runner's logic is what is tested.
func fake(name string, fn func(ctx context.Context) error) Phase {
	return Step(name, "a fake phase", config.Section{}, func(phase.Setup) (in, error) { return in{N: 1}, nil },
		func(ctx context.Context, _ phase.Env, _ in) (out, error) { return out{Done: true}, fn(ctx) })
}

func newState(t *testing.T) *State {
	t.Helper()
	cfg := config.Default()
	cfg.Service.Name = "svc"
	r, err := artifact.Create(t.TempDir(), "run1", strings.Repeat("a", 32), redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &State{Config: &cfg, Run: r, StartedAt: time.Now()}
}

func finish(t *testing.T, s *State, runCtx context.Context) *summary.Summary {
	t.Helper()
	o, err := Finish(context.Background(), s, runCtx, time.Now, phase.ToolUse{Tool: "orchestrate", Version: "test", Role: "orchestrator"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateFile(o.SummaryPath); err != nil {
		t.Fatal(err)
	}
	return o.Summary
}

func ValidateFile(p string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return summary.Validate(b)
}

func statuses(s *summary.Summary) string {
	var b []string
	for _, p := range s.Phases {
		b = append(b, p.Name+"="+p.Status)
	}
	return strings.Join(b, " ")
}

func TestPanicBecomesFailureWithStack(t *testing.T) {
	s := newState(t)
	r := &Runner{Now: time.Now, Phases: []Phase{
		//lint:ignore SA5000 the phase must panic
		fake("scaffold", func(context.Context) error { var m map[string]int; m["x"] = 1; return nil }),
		fake("lint", func(context.Context) error { return nil }),
		fake("report", func(context.Context) error { return nil }).Always(),
	}}
	r.Run(context.Background(), s)
	sum := finish(t, s, context.Background())
	if sum.Status != summary.Failed || sum.ExitCode != 1 {
		t.Fatalf("status %s exit %d", sum.Status, sum.ExitCode)
	}
	if got := statuses(sum); got != "scaffold=failed lint=skipped report=success" {
		t.Fatalf("phases: %s", got)
	}
	f := sum.Failures[0]
	if f.Class != string(failure.InternalError) || !strings.Contains(f.Message, "nil map") {
		t.Fatalf("failure %+v", f)
	}
	b, err := os.ReadFile(filepath.Join(s.Run.Dir, filepath.FromSlash(f.Where)))
	if err != nil || !strings.Contains(string(b), "goroutine") {
		t.Fatalf("no stack at %s: %v", f.Where, err)
	}
}

func TestPartialFailureAndSkip(t *testing.T) {
	s := newState(t)
	r := &Runner{Now: time.Now, Phases: []Phase{
		fake("deploy", func(context.Context) error {
			return &failure.Error{Class: failure.DockerUnavailable, Message: "docker is not running", Partial: true}
		}),
		fake("test", func(context.Context) error { return phase.Skip("nothing deployed") }),
	}}
	r.Run(context.Background(), s)
	sum := finish(t, s, context.Background())
	if sum.Status != summary.Partial || sum.ExitCode != 3 {
		t.Fatalf("status %s exit %d", sum.Status, sum.ExitCode)
	}
	if sum.Phases[1].Status != "skipped" || sum.Phases[1].SkipReason != "nothing deployed" {
		t.Fatalf("phases %+v", sum.Phases)
	}
}

func TestInterruptStopsPhasesRunsCleanupAndReport(t *testing.T) {
	s := newState(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	cleaned := false
	r := &Runner{Now: time.Now, Phases: []Phase{
		Step("deploy", "a fake deploy", config.Section{}, func(phase.Setup) (in, error) { return in{}, nil }, func(ctx context.Context, env phase.Env, _ in) (out, error) {
			env.Cleanup("containers", func(context.Context) error { cleaned = true; return nil })
			cancel(ErrInterrupted)
			<-ctx.Done()
			return out{}, ctx.Err()
		}),
		fake("test", func(context.Context) error { t.Error("test ran after the interrupt"); return nil }),
		fake("report", func(ctx context.Context) error { return ctx.Err() }).Always(),
	}}
	r.Run(ctx, s)
	sum := finish(t, s, ctx)
	if sum.ExitCode != 130 || sum.Status != summary.Failed {
		t.Fatalf("status %s exit %d", sum.Status, sum.ExitCode)
	}
	if got := statuses(sum); got != "deploy=failed test=skipped report=success" {
		t.Fatalf("phases: %s", got)
	}
	if sum.Failures[0].Class != string(failure.Interrupted) || !cleaned {
		t.Fatalf("failures %+v, cleaned %v", sum.Failures, cleaned)
	}
}

func TestSelection(t *testing.T) {
	ps := []Phase{fake("scaffold", nil), fake("lint", nil), fake("report", nil)}
	for _, c := range []struct {
		sel  Selection
		want string
	}{
		{Selection{Only: []string{"lint"}}, "not selected by --only lint||not selected by --only lint"},
		{Selection{Skip: []string{"lint"}}, "|skipped by --skip|"},
		{Selection{From: "lint"}, "before --from lint||"},
	} {
		var got []string
		for i := range ps {
			got = append(got, c.sel.reason(ps, i))
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%+v: got %q want %q", c.sel, strings.Join(got, "|"), c.want)
		}
	}
	var ue *UsageError
	for _, bad := range []Selection{{Only: []string{"nope"}}, {Only: []string{"lint"}, Skip: []string{"lint"}}, {From: "x"}, {From: "lint", Only: []string{"lint"}}} {
		if err := bad.Check(ps); !errors.As(err, &ue) {
			t.Errorf("%+v accepted", bad)
		}
	}
}
