package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Prompt is a rendered prompt template.
type Prompt struct {
	Name    string // e.g. scaffold.handlers
	Version string
	Why     string // why this role and tool at this stage (tool-usage log)
	System  string
	User    string
}

// Ask is one structured question to a role.
type Ask struct {
	Role       string
	Prompt     Prompt
	Schema     json.RawMessage // the answer's JSON Schema
	SchemaName string
}

// Exchange is one request and its answer as kept in the artifacts.
type Exchange struct {
	N          int         `json:"n"`
	Role       string      `json:"role"`
	Provider   string      `json:"provider"`
	Model      string      `json:"model"`          // as configured
	ModelSeen  string      `json:"model_reported"` // as the server reported it
	Prompt     string      `json:"prompt"`
	Version    string      `json:"prompt_version"`
	Tokens     [2]int      `json:"tokens"` // prompt, completion
	LatencyMS  int64       `json:"latency_ms"`
	CostUSD    float64     `json:"cost_usd"`
	CacheKey   string      `json:"cache_key"`
	CacheHit   bool        `json:"cache_hit"`
	Attempts   int         `json:"attempts"`
	Provenance *Provenance `json:"provenance,omitempty"`
	Reask      bool        `json:"reask"`
	Error      string      `json:"error,omitempty"`
	ParseError string      `json:"parse_error,omitempty"`
	Files      []string    `json:"files"` // prompt, response, parsed: relative to the run directory

	base string // llm/NN-<prompt>, inside the phase's folder
	werr error  // the first of its files that could not be written
}

// RoleInfo is what a role asks of which model.
type RoleInfo struct {
	Kind        string // provider kind
	Provider    string // provider name in the config
	Model       string
	Temperature *float64
	Seed        *int
	MaxTokens   int
	// MaxAnswerBytes caps an answer (llm.max_answer_bytes); 0: no cap.
	MaxAnswerBytes int
}

// Resolver gives the client chain of a role, charging the phase's meter.
type Resolver interface {
	Resolve(role string, phase *Meter) (Client, RoleInfo, error)
}

// Session is one phase's access to the models: every exchange is kept in
// the phase's llm/ folder and reported to OnExchange.
type Session struct {
	Roles      Resolver
	Art        *artifact.Sub
	Phase      string
	Meter      *Meter // the phase's budget
	OnExchange func(Exchange)

	mu sync.Mutex
	n  int
}

// Reply is a parsed answer with the exchange that produced it.
type Reply[T any] struct {
	Answer   T
	Exchange Exchange
}

// AskFor sends the prompt to the role and returns its answer parsed into
// T with the exchange that produced it (the second when the role was
// re-asked). On an error the exchange, when there was one, says which
// files were kept.
func AskFor[T any](ctx context.Context, s *Session, a Ask) (Reply[T], error) {
	var r Reply[T]
	ex, err := s.ask(ctx, a, &r.Answer)
	r.Exchange = ex
	return r, err
}

// PromptFile is the rendered prompt's file, relative to the run directory.
func (x Exchange) PromptFile() string { return x.file(0) }

// ResponseFile is the raw answer's file, relative to the run directory.
func (x Exchange) ResponseFile() string { return x.file(1) }

func (x Exchange) file(i int) string {
	if len(x.Files) > i {
		return x.Files[i]
	}
	return ""
}

// ask sends the prompt to the role, parses the answer against the schema
// into `into`, and re-asks once with the parse error when it does not fit.
// Every failure is an llm_error with the raw answers kept.
func (s *Session) ask(ctx context.Context, a Ask, into any) (Exchange, error) {
	client, rc, err := s.Roles.Resolve(a.Role, s.Meter)
	if err != nil {
		return Exchange{}, err
	}
	req := Request{
		Provider: rc.Kind, Model: rc.Model, Temperature: rc.Temperature, Seed: rc.Seed,
		MaxTokens: rc.MaxTokens, Schema: a.Schema, SchemaName: a.SchemaName,
		Prompt: a.Prompt.Name, PromptVersion: a.Prompt.Version, Phase: s.Phase, Role: a.Role,
		Messages: []Message{{Role: "system", Content: a.Prompt.System}, {Role: "user", Content: a.Prompt.User}},
	}
	var first string
	for attempt := 0; attempt < 2; attempt++ {
		resp, err := client.Complete(ctx, req)
		ex := s.keep(a, req, rc, resp, err, attempt == 1)
		if ex.werr != nil {
			return *ex, evidenceError(ex)
		}
		if err != nil {
			if ctx.Err() != nil {
				return *ex, ctx.Err()
			}
			var fe *failure.Error
			if errors.As(err, &fe) {
				return *ex, fe
			}
			msg := fmt.Sprintf("role %s (%s %s) failed", a.Role, rc.Kind, rc.Model)
			if h := Hint(err); h != "" {
				err = fmt.Errorf("%w; %s", err, h)
			}
			return *ex, &failure.Error{Class: failure.LLMError, Message: msg, Err: err, Where: ex.ResponseFile()}
		}
		perr := checkSize(resp.Content, rc.MaxAnswerBytes)
		if perr == nil {
			perr = decode(resp.Content, a.Schema, into)
		}
		if perr == nil {
			if _, err := s.Art.WriteJSON(ex.base+".parsed.json", into); err != nil {
				ex.werr = err
			} else {
				ex.Files = append(ex.Files, s.Art.Rel(ex.base+".parsed.json"))
			}
			s.writeMeta(ex)
			if ex.werr != nil {
				return *ex, evidenceError(ex)
			}
			return *ex, nil
		}
		ex.ParseError = perr.Error()
		if s.writeMeta(ex); ex.werr != nil {
			return *ex, evidenceError(ex)
		}
		if attempt == 1 {
			return *ex, &failure.Error{Class: failure.LLMError, Where: ex.ResponseFile(),
				Message: fmt.Sprintf("role %s answered %s twice with something that is not the expected JSON (%v); both answers are kept (%s)", a.Role, a.Prompt.Name, perr, first)}
		}
		first = ex.Files[1]
		req.Messages = append(req.Messages,
			Message{Role: "assistant", Content: quote(resp.Content)},
			Message{Role: "user", Content: fmt.Sprintf("Your answer could not be used: %v. Answer again with only the JSON object that matches the schema, with no prose and no code fence.", perr)})
	}
	return Exchange{}, nil // unreachable
}

// ReaskQuoteBytes bounds how much of an unusable answer a re-ask sends
// back: enough for the model to see its mistake, never a whole runaway
// answer.
const ReaskQuoteBytes = 16 << 10

// checkSize refuses an answer over the cap before it is parsed.
func checkSize(content string, limit int) error {
	if limit > 0 && len(content) > limit {
		return fmt.Errorf("the answer is %d bytes, more than llm.max_answer_bytes (%d); answer with less", len(content), limit)
	}
	return nil
}

// quote is an answer as a re-ask shows it: whole when short, else its
// start and a note of what was cut.
func quote(content string) string {
	if len(content) <= ReaskQuoteBytes {
		return content
	}
	cut := ReaskQuoteBytes
	for cut > 0 && !utf8.RuneStart(content[cut]) {
		cut--
	}
	return content[:cut] + fmt.Sprintf("\n[... %d more bytes of this answer not shown]", len(content)-cut)
}

// decode extracts the JSON and fits it to the schema; a cut-off answer's
// candidates are tried until one fits.
func decode(content string, schema json.RawMessage, into any) error {
	cands, err := Candidates(content)
	if err != nil {
		return err
	}
	var last error
	for _, c := range cands {
		if len(schema) > 0 {
			if err := validate(schema, c); err != nil {
				last = err
				continue
			}
		}
		dec := json.NewDecoder(bytes.NewReader(c))
		if err := dec.Decode(into); err != nil {
			last = err
			continue
		}
		return nil
	}
	return last
}

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

func validate(schema json.RawMessage, doc []byte) error {
	schemaMu.Lock()
	sch, ok := schemaCache[string(schema)]
	if !ok {
		raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
		if err == nil {
			c := jsonschema.NewCompiler()
			if err = c.AddResource("answer.json", raw); err == nil {
				sch, err = c.Compile("answer.json")
			}
		}
		if err != nil {
			schemaMu.Unlock()
			return fmt.Errorf("the prompt's schema does not compile: %w", err)
		}
		schemaCache[string(schema)] = sch
	}
	schemaMu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("the JSON does not match the schema: %s", oneLine(err.Error()))
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (s *Session) keep(a Ask, req Request, rc RoleInfo, resp Response, err error, reask bool) *Exchange {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	base := fmt.Sprintf("llm/%02d-%s", n, a.Prompt.Name)
	var pb strings.Builder
	fmt.Fprintf(&pb, "<!-- prompt %s v%s, role %s, %s %s -->\n", a.Prompt.Name, a.Prompt.Version, a.Role, rc.Kind, rc.Model)
	for _, m := range req.Messages {
		fmt.Fprintf(&pb, "\n## %s\n\n%s\n", m.Role, m.Content)
	}
	if len(req.Schema) > 0 {
		fmt.Fprintf(&pb, "\n## response schema (%s)\n\n```json\n%s\n```\n", req.SchemaName, req.Schema)
	}
	ex := &Exchange{N: n, Role: a.Role, Provider: rc.Kind, Model: rc.Model, ModelSeen: resp.Model,
		Prompt: a.Prompt.Name, Version: a.Prompt.Version, Tokens: [2]int{resp.PromptTokens, resp.CompletionTokens},
		LatencyMS: resp.Latency.Milliseconds(), CostUSD: resp.CostUSD, CacheKey: resp.CacheKey, CacheHit: resp.CacheHit,
		Attempts: resp.Attempts, Provenance: resp.Provenance, Reask: reask, base: base}
	if err != nil {
		ex.Error = err.Error()
	}
	if _, err := s.Art.Write(base+".prompt.md", []byte(pb.String())); err != nil {
		ex.werr = err
	}
	if _, err := s.Art.Write(base+".response.txt", []byte(resp.Content)); err != nil && ex.werr == nil {
		ex.werr = err
	}
	ex.Files = []string{s.Art.Rel(base + ".prompt.md"), s.Art.Rel(base + ".response.txt")}
	s.writeMeta(ex)
	if s.OnExchange != nil {
		s.OnExchange(*ex)
	}
	return ex
}

func (s *Session) writeMeta(ex *Exchange) {
	if _, err := s.Art.WriteJSON(ex.base+".meta.json", ex); err != nil && ex.werr == nil {
		ex.werr = err
	}
}

// evidenceError is an exchange whose files could not be kept: its answer
// is not used, since nothing would show where it came from.
func evidenceError(ex *Exchange) error {
	return &failure.Error{Class: failure.InternalError, Err: ex.werr,
		Message: fmt.Sprintf("the evidence of exchange %d (%s) could not be written: %v; free space under the artifacts directory and run again", ex.N, ex.Prompt, ex.werr)}
}

// Usage is the phase's spend.
func (s *Session) Usage() Usage { return s.Meter.Used() }

// Latency of an exchange.
func (e Exchange) Latency() time.Duration { return time.Duration(e.LatencyMS) * time.Millisecond }

// AnsweredBy names who answered, as recorded: a hand-written fixture as
// one, a replayed answer by the model it was recorded from, a live one by
// the model the server reported (else the configured one).
func (x Exchange) AnsweredBy() string {
	switch {
	case x.CacheHit && x.Provenance != nil && x.Provenance.Source == "fixture":
		return "hand-written fixture"
	case x.CacheHit && x.Provenance != nil && x.Provenance.Model != "":
		return x.Provenance.Model
	case x.ModelSeen != "":
		return x.ModelSeen
	}
	return x.Model
}
