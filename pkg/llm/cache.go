package llm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Cache modes.
const (
	ModeRecord = "record" // serve hits, record misses
	ModeLive   = "live"   // no cache
	ModeReplay = "replay" // hits only; a miss is an error; never a network call
)

// keyed is what decides an answer. The credentials, the phase and the role
// are not in it.
type keyed struct {
	Provider      string          `json:"provider"`
	Model         string          `json:"model"`
	Messages      []Message       `json:"messages"`
	Temperature   *float64        `json:"temperature"`
	Seed          *int            `json:"seed"`
	MaxTokens     int             `json:"max_tokens"`
	Schema        json.RawMessage `json:"schema"`
	SchemaName    string          `json:"schema_name"`
	Prompt        string          `json:"prompt"`
	PromptVersion string          `json:"prompt_version"`
}

func canonical(req Request) keyed {
	k := keyed{Provider: req.Provider, Model: req.Model, Messages: req.Messages, Temperature: req.Temperature,
		Seed: req.Seed, MaxTokens: req.MaxTokens, SchemaName: req.SchemaName, Prompt: req.Prompt, PromptVersion: req.PromptVersion}
	if len(req.Schema) > 0 {
		var b bytes.Buffer
		if json.Compact(&b, req.Schema) == nil {
			k.Schema = b.Bytes()
		} else {
			k.Schema = req.Schema
		}
	}
	if k.Messages == nil {
		k.Messages = []Message{}
	}
	return k
}

// Key is the content address of a request: the SHA-256 of its canonical
// JSON encoding.
func Key(req Request) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(canonical(req)) // plain data always encodes
	return hex.EncodeToString(h.Sum(nil))
}

// Entry is one stored answer. The request comes last: a hit reads the
// answer and stops before it.
type Entry struct {
	Key        string     `json:"key"`
	Provenance Provenance `json:"provenance"`
	Response   Stored     `json:"response"`
	Request    keyed      `json:"request"`
}

// Stored is the part of a Response worth keeping.
type Stored struct {
	Content          string `json:"content"`
	Model            string `json:"model"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
}

// Store is a directory of entries: <dir>/<prompt>/<key>.json, so entries of
// one prompt sit together for review and for finding the nearest one.
// Red, when set, removes secrets from an answer before it is stored: the
// request is redacted before it leaves, but a model may echo a secret it
// was never sent (a value from its training, or one planted in a file).
type Store struct {
	Dir string
	Red *redact.Redactor
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s Store) path(prompt, key string) string {
	p := unsafeName.ReplaceAllString(prompt, "_")
	if p == "" {
		p = "_"
	}
	return filepath.Join(s.Dir, p, key+".json")
}

// EntryPath is where the answer to a prompt's request with this key is
// kept.
func (s Store) EntryPath(prompt, key string) string { return s.path(prompt, key) }

// Get reads the entry for req, if there is one.
func (s Store) Get(req Request) (*Entry, error) {
	key := Key(req)
	p := s.path(req.Prompt, key)
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("llm cache: %w", err)
	}
	defer f.Close()
	e, err := readAnswer(f)
	if err != nil {
		return nil, fmt.Errorf("llm cache: %s: %w (delete the file to record it again)", p, err)
	}
	if e.Key != key {
		return nil, fmt.Errorf("llm cache: %s holds key %s: the file was renamed or edited", p, e.Key)
	}
	return e, nil
}

// readAnswer decodes an entry up to, not including, its request.
func readAnswer(r io.Reader) (*Entry, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a cache entry")
	}
	var e Entry
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t {
		case "key":
			err = dec.Decode(&e.Key)
		case "provenance":
			err = dec.Decode(&e.Provenance)
		case "response":
			err = dec.Decode(&e.Response)
		case "request":
			return &e, nil
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, err
		}
	}
	return &e, nil
}

// Put stores an entry atomically.
func (s Store) Put(req Request, resp Stored, prov Provenance) error {
	if s.Red != nil {
		resp.Content = s.Red.String(resp.Content)
	}
	e := Entry{Key: Key(req), Request: canonical(req), Response: resp, Provenance: prov}
	b, err := artifact.MarshalJSON(e)
	if err != nil {
		return err
	}
	return artifact.WriteAtomic(s.path(req.Prompt, e.Key), b, 0o644)
}

// Cache serves answers from the store. In replay mode next is never called
// and may be nil; errors are never stored.
func Cache(next Client, store Store, mode string, now func() time.Time) Client {
	return ClientFunc(func(ctx context.Context, req Request) (Response, error) {
		key := Key(req)
		if mode == ModeLive {
			resp, err := next.Complete(ctx, req)
			resp.CacheKey = key
			return resp, err
		}
		e, err := store.Get(req)
		if err != nil {
			return Response{}, failure.Wrap(failure.LLMError, err, "read the replay cache")
		}
		if e != nil {
			prov := e.Provenance
			return Response{Content: e.Response.Content, Model: e.Response.Model, PromptTokens: e.Response.PromptTokens,
				CompletionTokens: e.Response.CompletionTokens, CacheKey: key, CacheHit: true, Provenance: &prov}, nil
		}
		if mode == ModeReplay || next == nil {
			return Response{}, failure.Wrap(failure.LLMError, &replayMiss{missMessage(store, req, key)}, "")
		}
		resp, err := next.Complete(ctx, req)
		resp.CacheKey = key
		if err != nil {
			return resp, err
		}
		prov := Provenance{Source: "recorded", Provider: req.Provider, Model: resp.Model, RecordedAt: now().UTC()}
		if perr := store.Put(req, Stored{Content: resp.Content, Model: resp.Model, PromptTokens: resp.PromptTokens, CompletionTokens: resp.CompletionTokens}, prov); perr != nil {
			return resp, failure.Wrap(failure.LLMError, perr, "record the answer in the cache")
		}
		resp.Provenance = &prov
		return resp, nil
	})
}

// ErrNoRecordedAnswer is wrapped by every replay miss, so a phase can tell
// "this question was never recorded" (the code was edited by hand since)
// from a model that failed.
var ErrNoRecordedAnswer = errors.New("offline replay has no recorded answer")

type replayMiss struct{ msg string }

func (m *replayMiss) Error() string        { return m.msg }
func (m *replayMiss) Is(target error) bool { return target == ErrNoRecordedAnswer }

func missMessage(store Store, req Request, key string) string {
	msg := fmt.Sprintf("offline replay has no recorded answer for phase %s, prompt %s (role %s, key %s)", orDash(req.Phase), req.Prompt, orDash(req.Role), key[:16])
	if near, diff := Nearest(store, req); near != "" {
		msg += fmt.Sprintf("; the nearest stored entry %s differs in %s", near[:16], diff)
	} else {
		msg += fmt.Sprintf("; %s holds no entry for this prompt", filepath.Dir(store.path(req.Prompt, key)))
	}
	return msg + ". Record it with a run against a model (without --offline), or restore the committed cache"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Nearest finds the stored entry of the same prompt that differs least
// from req, and says how it differs.
func Nearest(store Store, req Request) (key, diff string) {
	paths, _ := filepath.Glob(filepath.Join(filepath.Dir(store.path(req.Prompt, "x")), "*.json"))
	want := canonical(req)
	best := -1
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var e Entry
		if json.Unmarshal(b, &e) != nil {
			continue
		}
		n, d := compare(e.Request, want)
		if best < 0 || n < best {
			best, key, diff = n, e.Key, d
		}
	}
	return key, diff
}

// compare counts differing fields and describes the first.
func compare(have, want keyed) (int, string) {
	var diffs []string
	field := func(name string, a, b any) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			diffs = append(diffs, fmt.Sprintf("%s (stored %s, requested %s)", name, clip(string(ja), 60), clip(string(jb), 60)))
		}
	}
	field("provider", have.Provider, want.Provider)
	field("model", have.Model, want.Model)
	field("prompt_version", have.PromptVersion, want.PromptVersion)
	field("temperature", have.Temperature, want.Temperature)
	field("seed", have.Seed, want.Seed)
	field("max_tokens", have.MaxTokens, want.MaxTokens)
	field("schema", have.Schema, want.Schema)
	if len(have.Messages) != len(want.Messages) {
		diffs = append(diffs, fmt.Sprintf("the number of messages (stored %d, requested %d)", len(have.Messages), len(want.Messages)))
	}
	for i := 0; i < len(have.Messages) && i < len(want.Messages); i++ {
		a, b := have.Messages[i].Content, want.Messages[i].Content
		if a == b {
			continue
		}
		at := 0
		for at < len(a) && at < len(b) && a[at] == b[at] {
			at++
		}
		line := strings.Count(b[:at], "\n") + 1
		diffs = append(diffs, fmt.Sprintf("messages[%d].content at line %d (stored %q, requested %q)", i, line, around(a, at), around(b, at)))
	}
	if len(diffs) == 0 {
		return 0, "nothing visible (schema name?)"
	}
	return len(diffs), diffs[0]
}

func around(s string, at int) string {
	from, to := max(0, at-20), min(len(s), at+30)
	return s[from:to]
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
