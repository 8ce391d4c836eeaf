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

// gen is a cacheable phase's Input: it reads and writes svc/.
type gen struct {
	RunID string `json:"run_id"` // never part of the key
	Write string `json:"-"`      // what the phase writes to svc/out.txt, when anything
}

func (gen) CacheReads() []string { return []string{"svc"} }

type genOut struct {
	Wrote string `json:"wrote"`
	Log   string `json:"log"` // a file of the phase's folder, as Outputs name them
}

func (o genOut) Detail() phase.Detail {
	return phase.Detail{Phase: "scaffold", Facts: []string{"wrote nothing"}}
}

// world is an artifacts directory and a workdir that runs share.
type world struct {
	root, workdir string
	runs          int // how often the phase really ran
	n             int
}

func newWorld(t *testing.T) *world {
	w := &world{root: t.TempDir(), workdir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(w.workdir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.file(t, "svc/main.go", "package main\n")
	w.file(t, "svc/.gitignore", "/svc-binary\n")
	return w
}

func (w *world) file(t *testing.T, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.workdir, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs one pipeline of the cacheable phase and the report.
func (w *world) run(t *testing.T, off bool, write string) (*summary.Summary, *State) {
	t.Helper()
	w.n++
	id := fmt.Sprintf("run%d", w.n)
	r, err := artifact.Create(w.root, id, strings.Repeat("a", 32), redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	s := &State{Config: &cfg, Run: r, Workdir: w.workdir, StartedAt: time.Now(),
		Cache: NewCache(w.root, off, map[string]string{"go": "go1.test"})}
	p := Step("scaffold", "a cacheable phase", config.Section{}, func(st phase.Setup) (gen, error) { return gen{RunID: st.RunID, Write: write}, nil },
		func(_ context.Context, env phase.Env, in gen) (genOut, error) {
			w.runs++
			if in.Write != "" {
				w.file(t, "svc/out.txt", in.Write)
			}
			_, err := env.Art.Write("logs/evidence.txt", []byte("what the phase saw"))
			return genOut{Wrote: in.Write, Log: env.Art.Rel("logs/evidence.txt")}, err
		})
	runner := &Runner{Now: time.Now, Phases: []Phase{p, step("report", "the report", func(*State) (in, error) { return in{}, nil },
		func(context.Context, phase.Env, in) (out, error) { return out{Done: true}, nil }).Always()}}
	runner.Run(context.Background(), s)
	return finish(t, s, context.Background()), s
}

func cacheOf(t *testing.T, sum *summary.Summary) *summary.PhaseCache {
	t.Helper()
	c := sum.Phases[0].Cache
	if c == nil {
		t.Fatalf("no cache record: %+v", sum.Phases[0])
	}
	return c
}

func TestPhaseCacheReusesAnUnchangedPhaseAndSaysWhy(t *testing.T) {
	w := newWorld(t)
	first, _ := w.run(t, false, "")
	if c := cacheOf(t, first); c.Status != "miss" || !strings.Contains(c.Why, "no earlier run") {
		t.Fatalf("first run: %+v", c)
	}
	w.file(t, "svc/svc-binary", "a build output the directory's .gitignore names")
	second, s := w.run(t, false, "")
	c := cacheOf(t, second)
	if c.Status != "hit" || c.FromRun != "run1" || w.runs != 1 {
		t.Fatalf("second run: %+v, the phase ran %d time(s)", c, w.runs)
	}
	if first.Phases[0].InputHash != second.Phases[0].InputHash || first.Phases[0].InputHash == "" {
		t.Errorf("the input hash depends on the run: %s, %s", first.Phases[0].InputHash, second.Phases[0].InputHash)
	}
	o, ok := Done[genOut](s, "scaffold")
	if !ok {
		t.Fatal("the reused output is not in the state for later phases")
	}
	if b, err := os.ReadFile(filepath.Join(s.Run.Dir, filepath.FromSlash(o.Log))); err != nil || string(b) != "what the phase saw" {
		t.Errorf("the reused output names %s, which is not in this run (%v)", o.Log, err)
	}
	if d := s.ReportInput().Details; len(d) != 1 || !strings.HasPrefix(d[0].Facts[0], "phase cache: reused from run run1") || d[0].Facts[1] != "wrote nothing" {
		t.Errorf("the report does not say the phase was reused: %+v", d)
	}

	w.file(t, "svc/main.go", "package main // edited\n")
	third, _ := w.run(t, false, "")
	if c := cacheOf(t, third); c.Status != "miss" || c.Why != "changed since run run1: files: svc/main.go changed" || w.runs != 2 {
		t.Fatalf("after an edit: %+v (ran %d)", c, w.runs)
	}
	forced, _ := w.run(t, true, "")
	if c := cacheOf(t, forced); c.Status != "off" || w.runs != 3 {
		t.Fatalf("--no-cache: %+v (ran %d)", c, w.runs)
	}
}

func TestPhaseCacheDoesNotReuseAPhaseThatChangedFiles(t *testing.T) {
	w := newWorld(t)
	w.run(t, false, "generated\n") // writes svc/out.txt
	second, _ := w.run(t, false, "generated\n")
	c := cacheOf(t, second)
	if c.Status != "miss" || !strings.Contains(c.Why, "changed files itself (svc/out.txt added)") || w.runs != 2 {
		t.Fatalf("after a run that wrote files: %+v (ran %d)", c, w.runs)
	}
	third, _ := w.run(t, false, "generated\n") // the second run left the files as it found them
	if c := cacheOf(t, third); c.Status != "hit" || c.FromRun != "run2" || w.runs != 2 {
		t.Fatalf("a fixed point is reused: %+v (ran %d)", c, w.runs)
	}
	if err := os.RemoveAll(filepath.Join(w.root, "run2")); err != nil {
		t.Fatal(err)
	}
	fourth, _ := w.run(t, false, "generated\n")
	if c := cacheOf(t, fourth); c.Status != "miss" || !strings.Contains(c.Why, "output is gone") {
		t.Fatalf("a deleted run cannot serve: %+v", c)
	}
}

func TestPhaseCacheNeverReusesAPhaseThatSaysItCannot(t *testing.T) {
	w := newWorld(t)
	_, s := w.run(t, false, "")
	rep := s.Records[1]
	if rep.Cache == nil || rep.Cache.Status != "uncached" || rep.InputHash == "" {
		t.Fatalf("report: %+v", rep)
	}
}
