package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phasecache"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Observer is told about phases as they start and end (the terminal UI).
type Observer interface {
	PhaseStarted(name string)
	PhaseFinished(rec summary.Phase, note string)
}

// Runner runs phases in order.
type Runner struct {
	Phases   []Phase
	Select   Selection
	Observer Observer
	Now      func() time.Time
	// AlwaysTimeout bounds a phase marked Always when it runs after the
	// run's context was cancelled.
	AlwaysTimeout time.Duration
}

// Run runs every selected phase. It returns when all are done; what
// happened is in s.
func (r *Runner) Run(ctx context.Context, s *State) {
	for i, p := range r.Phases {
		dir := fmt.Sprintf("%02d-%s", i+1, p.Name) // numbered by its place in the full pipeline
		if why := r.Select.reason(r.Phases, i); why != "" {
			r.skip(s, p, dir, why)
			continue
		}
		if !p.always {
			if ctx.Err() != nil {
				r.skip(s, p, dir, "the run stopped: "+causeText(ctx))
				continue
			}
			if s.failed {
				r.skip(s, p, dir, "an earlier phase failed")
				continue
			}
			if s.held != "" {
				r.skip(s, p, dir, "held for approval: "+s.held)
				continue
			}
		}
		r.runOne(ctx, s, p, dir)
	}
}

func (r *Runner) skip(s *State, p Phase, dir, why string) {
	rec := summary.Phase{Name: p.Name, Status: "skipped", SkipReason: why}
	_ = s.Run.Event("", p.Name, "phase.skipped", map[string]any{"reason": why})
	s.Records = append(s.Records, rec)
	if r.Observer != nil {
		r.Observer.PhaseFinished(rec, why)
	}
}

type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	step func(line string) // told each line as it is logged; may be nil
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tell(p)
	return w.b.Write(p)
}

func (w *syncBuffer) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]byte(nil), w.b.Bytes()...)
}

func (r *Runner) runOne(ctx context.Context, s *State, p Phase, dir string) {
	span := artifact.NewSpanID()
	sub := s.Run.Sub(dir, p.Name, span)
	log := &syncBuffer{step: r.stepper(p.Name)}
	env := r.env(s, p, sub, span, log)
	if p.always && ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), r.alwaysTimeout())
		defer cancel()
	}
	if r.Observer != nil {
		r.Observer.PhaseStarted(p.Name)
	}
	_ = s.Run.Event(span, p.Name, "phase.start", nil)
	start := r.Now()
	in, out, err := safeRun(ctx, p, env, s)
	rec := summary.Phase{Name: p.Name, DurationSeconds: round(r.Now().Sub(start).Seconds()), Dir: dir}
	rec.InputHash = keepIO(sub, in, out, err)
	note := settle(ctx, s, p, dir, sub, &rec, err)
	s.Cache.done(s, p.Name, dir, &rec)
	if c := rec.Cache; c != nil && c.Status == "hit" {
		note = c.Why
	}
	if err != nil {
		fmt.Fprintf(log, "error: %v\n", err)
	}
	if b := log.Bytes(); len(b) > 0 {
		_, _ = sub.Write("logs/phase.log", b)
	}
	_ = s.Run.Event(span, p.Name, "phase.end", map[string]any{"status": rec.Status, "duration_seconds": rec.DurationSeconds, "input_hash": rec.InputHash, "cache": rec.Cache})
	s.Records = append(s.Records, rec)
	if r.Observer != nil {
		r.Observer.PhaseFinished(rec, note)
	}
}

// env is what the phase runs in besides its Input: its folder, log, clock,
// tool record, cleanup registry and, when a model is configured, a session
// that reports every exchange to the state.
func (r *Runner) env(s *State, p Phase, sub *artifact.Sub, span string, log *syncBuffer) phase.Env {
	env := phase.Env{
		Art: sub, Top: s.Run.Sub(".", p.Name, span), Log: log, Now: r.Now, Tools: s,
		Cleanup: s.addCleanup,
	}
	if n, ok := r.Observer.(interface{ Info(string, ...any) }); ok {
		env.Notice = n.Info
	}
	if s.Roles != nil {
		env.LLM = &llm.Session{Roles: s.Roles, Art: sub, Phase: p.Name, Meter: s.Roles.PhaseMeter(p.Name),
			OnExchange: func(x llm.Exchange) {
				s.Cache.answer(s, p.Name, x)
				s.Record(toolUse(r.Now(), p.Name, x))
				s.AddCall(reportCall(p.Name, x))
			}}
	}
	return env
}

// keepIO writes input.json and output.json and returns the input's hash.
// A failed phase's empty Output says nothing; a partial one is kept.
func keepIO(sub *artifact.Sub, in, out any, err error) string {
	hash := ""
	if in != nil {
		if h, jerr := phasecache.HashJSON(in, "run_id"); jerr == nil { // never the run id
			hash = h
			_, _ = sub.WriteJSON("input.json", in)
		}
	}
	if out != nil && (err == nil || !isZero(out)) {
		_, _ = sub.WriteJSON("output.json", out)
	}
	return hash
}

// settle records how the phase ended: success, skipped with its reason, a
// panic (its stack kept), or a classified failure. It returns the note the
// observer shows.
func settle(ctx context.Context, s *State, p Phase, dir string, sub *artifact.Sub, rec *summary.Phase, err error) string {
	var pe *panicError
	switch why, skipped := phase.IsSkip(err); {
	case err == nil:
		rec.Status = "success"
		return ""
	case skipped:
		rec.Status, rec.SkipReason = "skipped", why
		return why
	case isHold(err):
		h, _ := phase.IsHold(err)
		rec.Status = "held"
		s.hold(p.Name, h)
		return h.Error()
	case errors.As(err, &pe):
		rec.Status = "failed"
		where, _ := sub.Write("logs/panic.txt", []byte(fmt.Sprintf("panic: %v\n\n%s", pe.value, pe.stack)))
		s.AddFailure(summary.Failure{Phase: p.Name, Class: string(failure.InternalError),
			Message: fmt.Sprintf("phase %s panicked: %v", p.Name, pe.value), Where: rel(s, where)}, false)
		return "panic"
	}
	f := classify(ctx, p.Name, err)
	if f.Where == "" {
		f.Where = dir + "/logs/phase.log"
	}
	rec.Status = "failed"
	if f.Partial {
		rec.Status = "partial"
	}
	s.AddFailure(summary.Failure{Phase: p.Name, Class: string(f.Class), Message: f.Error(), Where: f.Where}, f.Partial)
	s.addMore(p.Name)
	return f.Error()
}

func (r *Runner) alwaysTimeout() time.Duration {
	if r.AlwaysTimeout > 0 {
		return r.AlwaysTimeout
	}
	return 30 * time.Second
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// safeRun keeps a panic in a phase from reaching the user: it becomes a
// failure with the stack in the phase's logs.
func safeRun(ctx context.Context, p Phase, env phase.Env, s *State) (in, out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return p.run(ctx, env, s)
}

// classify turns a phase's error into a classified failure. A cancelled
// run context wins over whatever the phase made of it.
func classify(ctx context.Context, name string, err error) *failure.Error {
	switch Why(ctx) {
	case ErrInterrupted:
		return &failure.Error{Class: failure.Interrupted, Message: "interrupted by a signal during " + name}
	case ErrRunTimeout:
		return &failure.Error{Class: failure.Timeout, Message: "the run's time limit (run.timeout / --timeout) was reached during " + name}
	}
	var fe *failure.Error
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &failure.Error{Class: failure.Timeout, Message: err.Error()}
	}
	return &failure.Error{Class: failure.Unknown, Message: err.Error()}
}

func causeText(ctx context.Context) string {
	switch Why(ctx) {
	case ErrInterrupted:
		return "interrupted"
	case ErrRunTimeout:
		return "time limit reached"
	}
	return ctx.Err().Error()
}

func isZero(v any) bool {
	b, err := json.Marshal(v)
	return err != nil || string(b) == "{}" || string(b) == "null"
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// toolUse turns a model exchange into a tool-usage entry.
func toolUse(t time.Time, phaseName string, x llm.Exchange) phase.ToolUse {
	tool, version := modelTool(x)
	return phase.ToolUse{Time: t, Phase: phaseName, Tool: tool, Version: version, Role: x.Role, Prompt: x.Files[0], Why: modelWhy(x)}
}
