package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// released is a cacheable Input whose Output states something outside the
// files (which release a tag points at) and a record it writes.
type released struct {
	RunID string `json:"run_id"`
	tag   *string
}

func (released) CacheReads() []string  { return []string{"svc"} }
func (released) CacheWrites() []string { return []string{"RECORD.md"} }
func (in released) Recheck(_ context.Context, out releasedOut) string {
	if *in.tag != out.Tag {
		return fmt.Sprintf("the tag points at %s, not %s", *in.tag, out.Tag)
	}
	return ""
}

type releasedOut struct {
	Tag    string `json:"tag"`
	reused bool
}

func (o releasedOut) Revive(released) releasedOut { o.reused = true; return o }

// runHooked runs the phase once; ran counts its real runs.
func (w *world) runHooked(t *testing.T, tag *string, ran *int) (*summary.Summary, *State) {
	t.Helper()
	w.n++
	r, err := artifact.Create(w.root, fmt.Sprintf("run%d", w.n), strings.Repeat("a", 32), redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	s := &State{Config: &cfg, Run: r, Workdir: w.workdir, StartedAt: time.Now(), Cache: NewCache(w.root, false, map[string]string{"go": "go1.test"})}
	p := Step("release", "a phase with hooks", config.Section{}, func(st phase.Setup) (released, error) { return released{RunID: st.RunID, tag: tag}, nil },
		func(_ context.Context, _ phase.Env, in released) (releasedOut, error) {
			*ran++
			w.file(t, "RECORD.md", "released "+*in.tag+"\n")
			return releasedOut{Tag: *in.tag}, nil
		})
	(&Runner{Now: time.Now, Phases: []Phase{p}}).Run(context.Background(), s)
	return finish(t, s, context.Background()), s
}

func TestPhaseCacheRechecksRevivesAndKeepsRecords(t *testing.T) {
	w := newWorld(t)
	tag, ran := "A", 0
	w.runHooked(t, &tag, &ran) // writes RECORD.md: a record, not a change of its inputs
	second, s := w.runHooked(t, &tag, &ran)
	if c := cacheOf(t, second); c.Status != "hit" || ran != 1 {
		t.Fatalf("a first run that wrote its record: %+v (ran %d)", c, ran)
	}
	if o, ok := Done[releasedOut](s, "release"); !ok || !o.reused || o.Tag != "A" {
		t.Errorf("the reused Output was not told: %+v", o)
	}

	tag = "B" // moved since, by hand
	third, s := w.runHooked(t, &tag, &ran)
	if c := cacheOf(t, third); c.Status != "miss" || c.Why != "run run1 had the same inputs but the tag points at B, not A: it runs" || ran != 2 {
		t.Fatalf("after the tag moved: %+v (ran %d)", c, ran)
	}
	if o, _ := Done[releasedOut](s, "release"); o.reused || o.Tag != "B" {
		t.Errorf("a phase that ran: %+v", o)
	}
	if third.Phases[0].Cache.FromRun != "" {
		t.Errorf("a miss names the run %s", third.Phases[0].Cache.FromRun)
	}

	if err := os.Remove(filepath.Join(w.workdir, "RECORD.md")); err != nil {
		t.Fatal(err)
	}
	fourth, _ := w.runHooked(t, &tag, &ran)
	if c := cacheOf(t, fourth); c.Status != "miss" || !strings.Contains(c.Why, "what it wrote as its record changed since (RECORD.md removed)") || ran != 3 {
		t.Fatalf("after its record was deleted: %+v (ran %d)", c, ran)
	}
	if fifth, _ := w.runHooked(t, &tag, &ran); cacheOf(t, fifth).Status != "hit" || cacheOf(t, fifth).FromRun != "run4" || ran != 3 {
		t.Fatalf("the record written again: %+v (ran %d)", cacheOf(t, fifth), ran)
	}
}
