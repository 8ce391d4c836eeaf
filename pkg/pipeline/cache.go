package pipeline

import (
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phasecache"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Cache is the run's phase cache: a phase whose Input (without the run
// id), model settings, own config, tools and files are as they were when
// it last succeeded, leaving its files as it found them, is not run
// again: its recorded Output is reused, the files it kept copied into
// this run, and the summary says so.
type Cache struct {
	Index phasecache.Index
	Off   bool   // --no-cache: every phase runs; what they do is still recorded
	Tools string // the orchestrate binary and the tools' versions, hashed

	mu     sync.Mutex
	checks map[string]*check // by phase
}

// check is one phase's fingerprint and what the cache made of it.
type check struct {
	parts    phasecache.Parts
	reads    []string
	writes   []string // the files it writes as a record (phase.Recording)
	decision phasecache.Decision
	answers  map[string]string // recorded model answers used while it ran
}

// NewCache opens the phase cache of the artifacts directory root.
func NewCache(root string, off bool, versions map[string]string) *Cache {
	return &Cache{Index: phasecache.Index{Root: root}, Off: off, Tools: toolsHash(versions)}
}

// toolsHash hashes the orchestrate binary (its Go build id, which changes
// with its code and its embedded templates and prompts) and the tools'
// versions.
func toolsHash(versions map[string]string) string {
	h, _ := phasecache.HashJSON(map[string]any{"orchestrate": selfID(), "versions": versions})
	return h
}

// selfID is the running binary's Go build id, or its hash when it has
// none to read.
func selfID() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if b, err := s.Data(); err == nil {
				return string(b)
			}
		}
	}
	sums, err := phasecache.Files(filepath.Dir(exe), []string{filepath.Base(exe)})
	if err != nil {
		return "unknown"
	}
	return sums[filepath.Base(exe)]
}

// reuse decides, before phase name runs on in, whether its recorded
// Output can serve; on a hit it returns that Output, its files copied
// into the phase's folder. An Input that states something outside the
// files (phase.Rechecked) is asked whether the recorded Output still
// holds; an Output that must know it was reused (phase.Revived) is told.
func reuse[I, O any](ctx context.Context, s *State, env phase.Env, name string, in I) (O, bool) {
	var out, zero O
	c := s.Cache
	if c == nil {
		return out, false
	}
	d := c.decide(s, name, in)
	if d.Status != phasecache.Hit {
		return out, false
	}
	if err := c.load(*d.From, &out); err != nil {
		c.demote(name, fmt.Sprintf("the output recorded by run %s cannot be read (%v): it runs", d.From.Run, err))
		return zero, false
	}
	if rc, ok := any(in).(phase.Rechecked[O]); ok {
		if why := rc.Recheck(ctx, out); why != "" {
			c.demote(name, fmt.Sprintf("run %s had the same inputs but %s: it runs", d.From.Run, why))
			return zero, false
		}
	}
	if err := c.restore(env, *d.From); err != nil {
		c.demote(name, fmt.Sprintf("the files recorded by run %s cannot be copied (%v): it runs", d.From.Run, err))
		return zero, false
	}
	if r, ok := any(out).(phase.Revived[I, O]); ok {
		out = r.Revive(in)
	}
	fmt.Fprintf(env.Log, "phase cache: %s; its files are copied from %s/%s\n", d.Why, d.From.Run, d.From.Dir)
	s.Record(phase.ToolUse{Time: env.Now(), Phase: name, Tool: "orchestrate phase cache", Version: "built-in", Role: "reuse",
		Why: d.Why + ": the phase's recorded output serves, and no tool or model was called for it."})
	return out, true
}

// decide fingerprints the phase and looks it up.
func (c *Cache) decide(s *State, name string, in any) phasecache.Decision {
	ch := &check{decision: phasecache.Decision{Status: phasecache.Uncached}}
	c.put(name, ch)
	var err error
	if ch.parts.Input, err = phasecache.HashJSON(in, "run_id"); err != nil {
		ch.decision.Why = "its input does not encode: " + err.Error()
		return ch.decision
	}
	ch.parts.Config, ch.parts.Tools = configHash(s, name), c.Tools
	ch.reads = []string{s.Config.Service.Dir, s.Config.Service.TestsDir}
	cacheable, ok := in.(phase.Cacheable)
	if ok {
		ch.reads = cacheable.CacheReads()
	}
	if r, rec := in.(phase.Recording); rec {
		ch.writes = r.CacheWrites()
	}
	if ch.parts.Files, err = phasecache.Files(s.Workdir, ch.reads); err != nil {
		ch.decision.Why = "its files cannot be read: " + err.Error()
		return ch.decision
	}
	ch.decision.Key = ch.parts.Key()
	switch u, unc := in.(phase.Uncached); {
	case unc && u.NoCache() != "":
		ch.decision.Why = "always runs: " + u.NoCache()
	case !ok:
		ch.decision.Why = "always runs: the phase does not say what it reads"
	case c.Off:
		ch.decision.Status, ch.decision.Why = phasecache.Off, "--no-cache: it runs"
	default:
		entries, _ := c.Index.Entries(name)
		ch.decision = phasecache.Decide(ch.parts, entries, func(e phasecache.Entry) string { return c.usable(s, e, ch.writes) })
	}
	return ch.decision
}

// configHash covers the model settings (what the recorded answers are
// keyed by, without the provider's address) and the phase's own config.
func configHash(s *State, name string) string {
	cfg := s.Config
	roles := map[string]any{}
	for r, rc := range cfg.LLM.Roles {
		roles[r] = map[string]any{"kind": cfg.LLM.Providers[rc.Provider].Kind, "model": rc.Model, "temperature": rc.Temperature, "seed": rc.Seed, "max_tokens": rc.MaxTokens}
	}
	h, _ := phasecache.HashJSON(map[string]any{"roles": roles, "cache_dir": cfg.LLM.CacheDir, "phase": cfg.Phases.Section(name), "policy": cfg.Policy})
	return h
}

// usable says why an entry's run cannot serve, or "": its folder must be
// there, the files the phase writes as a record as that run left them,
// and the recorded model answers it used unchanged.
func (c *Cache) usable(s *State, e phasecache.Entry, writes []string) string {
	if _, err := os.Stat(filepath.Join(c.Index.Root, e.Run, e.Dir, "output.json")); err != nil {
		return fmt.Sprintf("run %s had the same inputs but its output is gone (%s/%s/output.json): it runs", e.Run, e.Run, e.Dir)
	}
	if len(writes) > 0 || len(e.Records) > 0 {
		now, err := phasecache.Files(s.Workdir, writes)
		if err != nil || !phasecache.Same(now, e.Records) {
			return fmt.Sprintf("run %s had the same inputs but what it wrote as its record changed since (%s): it runs to write it again", e.Run, strings.Join(phasecache.FileChanges(e.Records, now, 3), ", "))
		}
	}
	if len(e.Answers) == 0 {
		return ""
	}
	now, err := phasecache.Files(s.Workdir, keys(e.Answers))
	if err != nil || !phasecache.Same(now, e.Answers) {
		return fmt.Sprintf("run %s had the same inputs but a recorded model answer it used changed (%s): it runs", e.Run, strings.Join(phasecache.FileChanges(e.Answers, now, 3), ", "))
	}
	return ""
}

// load reads the Output the entry's run recorded into out.
func (c *Cache) load(e phasecache.Entry, out any) error {
	b, err := os.ReadFile(filepath.Join(c.Index.Root, e.Run, e.Dir, "output.json"))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// restore copies the files the phase kept in the entry's run (prompts,
// answers, logs its Output names) into this run's folder of the phase,
// so every path in its Output resolves here too.
func (c *Cache) restore(env phase.Env, e phasecache.Entry) error {
	from := filepath.Join(c.Index.Root, e.Run, e.Dir)
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		rel = filepath.ToSlash(rel)
		if rel == "input.json" || rel == "output.json" || rel == "logs/phase.log" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = env.Art.Write(rel, data)
		return err
	})
}

// answer notes a recorded model answer the phase used.
func (c *Cache) answer(s *State, name string, x llm.Exchange) {
	if c == nil || x.CacheKey == "" || x.Error != "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := c.checks[name]
	if ch == nil {
		return
	}
	if ch.answers == nil {
		ch.answers = map[string]string{}
	}
	dir := s.Config.LLM.CacheDir
	p := llm.Store{Dir: dir}.EntryPath(x.Prompt, x.CacheKey)
	if filepath.IsAbs(dir) {
		return // outside the workdir: not fingerprinted
	}
	ch.answers[filepath.ToSlash(p)] = ""
}

// done records the phase: its key as the input hash, what the cache made
// of it, and, when it ran and succeeded, a new entry.
func (c *Cache) done(s *State, name, dir string, rec *summary.Phase) {
	if c == nil {
		return
	}
	ch := c.get(name)
	if ch == nil {
		return
	}
	d := ch.decision
	if d.Key != "" {
		rec.InputHash = d.Key
	}
	rec.Cache = &summary.PhaseCache{Status: d.Status, Why: d.Why}
	if d.From != nil {
		rec.Cache.FromRun = d.From.Run
	}
	if rec.Status != "success" || d.Status == phasecache.Hit || d.Status == phasecache.Uncached || d.Key == "" {
		return
	}
	if err := c.record(s, name, dir, ch); err != nil {
		_ = s.Run.Event("", name, "warning", map[string]any{"message": "phase cache: " + err.Error()})
	}
}

func (c *Cache) record(s *State, name, dir string, ch *check) error {
	after, err := phasecache.Files(s.Workdir, ch.reads)
	if err != nil {
		return err
	}
	e := phasecache.Entry{Phase: name, Key: ch.decision.Key, Run: s.Run.ID, Dir: dir, At: s.StartedAt.UTC(), Parts: ch.parts, After: after}
	if len(ch.writes) > 0 {
		if e.Records, err = phasecache.Files(s.Workdir, ch.writes); err != nil {
			return err
		}
	}
	if len(ch.answers) > 0 {
		if e.Answers, err = phasecache.Files(s.Workdir, keys(ch.answers)); err != nil {
			return err
		}
	}
	return c.Index.Add(e)
}

func (c *Cache) demote(name, why string) {
	if ch := c.get(name); ch != nil {
		c.mu.Lock()
		ch.decision.Status, ch.decision.From, ch.decision.Why = phasecache.Miss, nil, why
		c.mu.Unlock()
	}
}

func (c *Cache) put(name string, ch *check) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.checks == nil {
		c.checks = map[string]*check{}
	}
	c.checks[name] = ch
}

func (c *Cache) get(name string) *check {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks[name]
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// cacheFact opens a reused phase's detail with where it came from.
func (s *State) cacheFact(d phase.Detail) phase.Detail {
	for _, r := range s.Records {
		if r.Name == d.Phase && r.Cache != nil && r.Cache.Status == phasecache.Hit {
			d.Facts = append([]string{"phase cache: " + r.Cache.Why + "; not run again, no model called; the files below are those run's"}, d.Facts...)
		}
	}
	return d
}
