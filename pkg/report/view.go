package report

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Call is one model exchange as the report shows it.
type Call struct {
	Phase            string  `json:"phase"`
	N                int     `json:"n"`
	Role             string  `json:"role"`
	Provider         string  `json:"provider"`
	Model            string  `json:"model"`
	Prompt           string  `json:"prompt"` // the prompt template's name
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	LatencyMS        int64   `json:"latency_ms"`
	CacheHit         bool    `json:"cache_hit"`
	Source           string  `json:"source,omitempty"`      // the cached answer's provenance: recorded or fixture
	AnsweredBy       string  `json:"answered_by,omitempty"` // the model the cached answer was recorded from, as recorded
	Error            string  `json:"error,omitempty"`
	PromptFile       string  `json:"prompt_file,omitempty"` // relative to the run directory
	ResponseFile     string  `json:"response_file,omitempty"`
	Chat             string  `json:"chat,omitempty"` // ai_chats/<n>-<role>.md, set by the report
}

// The phases' projections, defined with the phase contract.
type (
	Detail        = phase.Detail
	Change        = phase.Change
	Iteration     = phase.Iteration
	SuiteResult   = phase.SuiteResult
	FailureDetail = phase.FailureDetail
)

// view is everything both renderings show, computed once.
type view struct {
	Input
	Status  string
	Outcome string
	Total   float64 // seconds, the phases end to end
	Rows    []phaseRow
	Recs    []string
	Diffs   map[string]diff // by patch path
	// Replayed are the token counts the cached answers carry from when they
	// were recorded (prompt, completion): not spent by this run.
	Replayed [2]int
	// Estimated are the token counts hand-written fixtures carry: estimated
	// from their length, never counted by a model.
	Estimated [2]int
	Glance    glance
}

type phaseRow struct {
	Name, Status, Dir, Skip string
	InputHash               string
	Start, Duration         float64
	Left, Width             float64 // percent of the timeline
	Detail                  Detail
	Calls                   []Call
}

type diff struct {
	Lines []diffLine
	Cut   int // lines left out
}

type diffLine struct {
	Kind string // add, del, hunk, file, ctx
	Text string
}

// maxDiffLines bounds one change's diff in the report; the patch file has
// all of it.
const maxDiffLines = 300

// newView gathers the report's data; runDir is where the patches are read
// from ("" to leave diffs out).
func newView(in Input, recs []string, runDir string) view {
	v := view{Input: in, Status: status(in), Outcome: Outcome(in), Recs: recs, Diffs: map[string]diff{}}
	v.Calls = append([]Call(nil), in.Calls...)
	for _, ch := range chats(v.Calls) {
		for i := range v.Calls {
			if v.Calls[i].PromptFile == ch.Call.PromptFile {
				v.Calls[i].Chat = ch.Name
			}
		}
	}
	details := map[string]Detail{}
	for _, d := range in.Details {
		details[d.Phase] = d
	}
	for _, p := range in.Phases {
		v.Total += p.DurationSeconds
	}
	for _, c := range in.Calls {
		switch {
		case c.CacheHit && c.Source == "fixture":
			v.Estimated[0] += c.PromptTokens
			v.Estimated[1] += c.CompletionTokens
		case c.CacheHit:
			v.Replayed[0] += c.PromptTokens
			v.Replayed[1] += c.CompletionTokens
		}
	}
	at := 0.0
	for _, p := range in.Phases {
		r := phaseRow{Name: p.Name, Status: p.Status, Dir: p.Dir, Skip: p.SkipReason, InputHash: p.InputHash, Start: at, Duration: p.DurationSeconds, Detail: details[p.Name]}
		if v.Total > 0 {
			r.Left = 100 * at / v.Total
			r.Width = 100 * p.DurationSeconds / v.Total
		}
		for _, c := range v.Calls {
			if c.Phase == p.Name {
				r.Calls = append(r.Calls, c)
			}
		}
		for _, c := range r.Detail.Changes {
			if c.Patch != "" && runDir != "" {
				if _, ok := v.Diffs[c.Patch]; !ok {
					v.Diffs[c.Patch] = readDiff(runDir, c.Patch)
				}
			}
		}
		at += p.DurationSeconds
		v.Rows = append(v.Rows, r)
	}
	v.Glance = newGlance(v)
	return v
}

// status is the run's status as far as the report can tell: the phases'
// worst, with an interruption or a time limit counting as failed.
func status(in Input) string {
	s := "success"
	for _, p := range in.Phases {
		switch p.Status {
		case "failed":
			return "failed"
		case "partial":
			s = "partial"
		case "held":
			if s == "success" {
				s = "needs_approval" // the review gate stopped the run for a human
			}
		}
	}
	for _, f := range in.Failures {
		if f.Class == string(failure.Interrupted) || f.Class == string(failure.Timeout) {
			return "failed"
		}
	}
	return s
}

// readDiff reads a patch from the run directory, classifying its lines.
// A patch outside the run directory, or missing, gives an empty diff.
func readDiff(runDir, rel string) diff {
	clean := path.Clean(rel)
	if path.IsAbs(clean) || strings.HasPrefix(clean, "../") || clean == ".." {
		return diff{}
	}
	b, err := os.ReadFile(filepath.Join(runDir, filepath.FromSlash(clean)))
	if err != nil {
		return diff{}
	}
	var d diff
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i, l := range lines {
		if i == maxDiffLines {
			d.Cut = len(lines) - i
			break
		}
		k := "ctx"
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "), strings.HasPrefix(l, "index "),
			strings.HasPrefix(l, "new file"), strings.HasPrefix(l, "deleted file"):
			k = "file"
		case strings.HasPrefix(l, "@@"):
			k = "hunk"
		case strings.HasPrefix(l, "+"):
			k = "add"
		case strings.HasPrefix(l, "-"):
			k = "del"
		}
		d.Lines = append(d.Lines, diffLine{Kind: k, Text: l})
	}
	return d
}

// llmLine sums up the run's model use in one line.
func (v view) LLMLine() string {
	s := fmt.Sprintf("%d call(s), %d cache hit(s); spent: %d prompt + %d completion tokens, $%.4f",
		v.LLM.Calls, v.LLM.CacheHits, v.LLM.PromptTokens, v.LLM.CompletionTokens, v.LLM.CostUSD)
	if v.Replayed[0]+v.Replayed[1] > 0 {
		s += fmt.Sprintf("; the replayed answers carry %d + %d tokens from when they were recorded", v.Replayed[0], v.Replayed[1])
	}
	if v.Estimated[0]+v.Estimated[1] > 0 {
		s += fmt.Sprintf("; the replayed hand-written fixtures are estimated at ~%d + ~%d tokens", v.Estimated[0], v.Estimated[1])
	}
	return s
}
