package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ChatsDir holds each model conversation of the run as a readable chat.
const ChatsDir = "ai_chats"

// chat is one model exchange, as ai_chats/<n>-<role>.md tells it.
type chat struct {
	Name string // ai_chats/01-codegen.md
	Call Call
}

// chats names the run's exchanges in order: ai_chats/<n>-<role>.md.
func chats(calls []Call) []chat {
	var out []chat
	for i, c := range calls {
		if c.PromptFile == "" {
			continue
		}
		out = append(out, chat{Name: path.Join(ChatsDir, fmt.Sprintf("%02d-%s.md", i+1, c.Role)), Call: c})
	}
	return out
}

// chatMarkdown is one exchange: the prompt's system and user messages,
// the assistant's answer, the decision parsed from it, and what became
// of it, read from the run directory.
func chatMarkdown(runDir string, c Call, outcome string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s (call %d of the %s phase)\n\n", c.Role, c.Prompt, c.N, c.Phase)
	fmt.Fprintf(&b, "- answered by: %s\n- tokens in / out: %s\n- cache: %s\n", answeredBy(c), tokens(c), cacheText(c))
	fmt.Fprintf(&b, "- files: [prompt](../%s), [response](../%s)\n\n", c.PromptFile, c.ResponseFile)
	prompt := readRun(runDir, c.PromptFile)
	if i := strings.Index(prompt, "## system"); i >= 0 {
		prompt = prompt[i:] // the comment line above it repeats the header
	}
	b.WriteString(strings.TrimSpace(prompt) + "\n\n## assistant\n\n")
	resp := strings.TrimSpace(readRun(runDir, c.ResponseFile))
	if resp == "" {
		resp = "(no answer: " + orText(c.Error, "none was kept") + ")"
	}
	f := fence(resp)
	fmt.Fprintf(&b, "%s\n%s\n%s\n\n", f, resp, f)
	if parsed := strings.TrimSpace(readRun(runDir, parsedFile(c.ResponseFile))); parsed != "" {
		fmt.Fprintf(&b, "## decision (parsed)\n\n%sjson\n%s\n%s\n\n", fence(parsed), parsed, fence(parsed))
	}
	fmt.Fprintf(&b, "## what became of it\n\n%s\n", orText(outcome, "nothing recorded beyond the phase's own result"))
	return b.String()
}

// outcomes reads, from each phase's output.json, what became of the
// answers a change was made from: every object naming a response file
// with a status (applied, reverted, refused…) and a reason.
func outcomes(runDir string, dirs []string) map[string]string {
	out := map[string]string{}
	for _, d := range dirs {
		var doc any
		if err := json.Unmarshal([]byte(readRun(runDir, d+"/output.json")), &doc); err == nil {
			walk(doc, out)
		}
	}
	return out
}

func walk(v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		resp, _ := x["response"].(string)
		status, _ := x["status"].(string)
		if resp != "" && status != "" {
			line := status
			if r, _ := x["reason"].(string); r != "" {
				line += ": " + r
			}
			if p, _ := x["patch"].(string); p != "" {
				line += fmt.Sprintf(" (patch [%s](../%s))", p, p)
			}
			if out[resp] != "" {
				line = out[resp] + "\n- " + line
			}
			out[resp] = line
		}
		for _, k := range keys {
			walk(x[k], out)
		}
	case []any:
		for _, e := range x {
			walk(e, out)
		}
	}
}

func parsedFile(response string) string {
	return strings.TrimSuffix(response, ".response.txt") + ".parsed.json"
}

// readRun reads a file of the run directory by its relative path; ""
// when it is missing or leaves the directory.
func readRun(runDir, rel string) string {
	clean := path.Clean(rel)
	if rel == "" || path.IsAbs(clean) || strings.HasPrefix(clean, "../") {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(runDir, filepath.FromSlash(clean)))
	if err != nil {
		return ""
	}
	return string(b)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeChats writes ai_chats/<n>-<role>.md for every exchange of the run.
func writeChats(write func(name string, b []byte) error, runDir string, v view) error {
	var dirs []string
	ai := map[string]string{}
	for _, r := range v.Rows {
		if r.Dir != "" {
			dirs = append(dirs, r.Dir)
		}
		ai[r.Name] = r.Detail.AI
	}
	oc := outcomes(runDir, dirs)
	for _, ch := range chats(v.Calls) {
		outcome := oc[ch.Call.ResponseFile]
		if outcome == "" && ai[ch.Call.Phase] != "" {
			outcome = "In the " + ch.Call.Phase + " phase: " + ai[ch.Call.Phase] + "."
		}
		if err := write(ch.Name, []byte(chatMarkdown(runDir, ch.Call, outcome))); err != nil {
			return err
		}
	}
	return nil
}
