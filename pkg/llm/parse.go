package llm

import (
	"encoding/json"
	"errors"
	"strings"
)

// ExtractJSON finds the JSON object or array in a model's answer. It
// tolerates a code fence, prose before and after, trailing commas, and an
// answer cut off mid-way (the incomplete last element is dropped and the
// open brackets closed). It returns the first of Candidates.
func ExtractJSON(s string) ([]byte, error) {
	c, err := Candidates(s)
	if err != nil {
		return nil, err
	}
	return c[0], nil
}

// Candidates returns the JSON values an answer may hold, best first. For a
// complete answer there is one. For a cut-off answer, each candidate drops
// the incomplete element at one level, innermost first, so a caller with a
// schema can keep the first that validates.
func Candidates(s string) ([][]byte, error) {
	s = strings.TrimSpace(stripFence(s))
	start := strings.IndexAny(s, "{[")
	if start < 0 {
		return nil, errors.New("the answer holds no JSON object or array")
	}
	s = s[start:]
	end, cuts, stack, truncated := scan(s)
	if !truncated {
		out := removeTrailingCommas(s[:end])
		if json.Valid(out) {
			return [][]byte{out}, nil
		}
		return nil, errors.New("the answer's JSON is malformed: " + jsonErr(out))
	}
	var out [][]byte
	for d := len(stack); d >= 1; d-- {
		for i := len(cuts) - 1; i >= 0; i-- {
			if cuts[i].stack != stack[:d] {
				continue
			}
			cand := removeTrailingCommas(s[:cuts[i].pos] + closers(cuts[i].stack))
			if json.Valid(cand) {
				out = append(out, cand)
			}
			break
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the answer's JSON is cut off and cannot be completed")
	}
	return out, nil
}

func jsonErr(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	return "unknown error"
}

func stripFence(s string) string {
	i := strings.Index(s, "```")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(rest[:nl], "{[") {
		rest = rest[nl+1:] // the language tag line
	}
	if j := strings.Index(rest, "```"); j >= 0 {
		return rest[:j]
	}
	return rest // an unclosed fence: the answer was cut off
}

type cut struct {
	pos   int
	stack string
}

// scan walks s from its first bracket. It returns the end of the first
// complete value, or truncated with the places a prefix could be cut: after
// each complete element (before a comma) and after each opening bracket.
func scan(s string) (end int, cuts []cut, open string, truncated bool) {
	var stack []byte
	var st strState
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if st.inString(ch) {
			continue
		}
		switch ch {
		case '{', '[':
			stack = append(stack, ch)
			cuts = append(cuts, cut{i + 1, string(stack)})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				return i + 1, cuts, "", false
			}
		case ',':
			cuts = append(cuts, cut{i, string(stack)})
		}
	}
	return len(s), cuts, string(stack), true
}

func closers(stack string) string {
	var b strings.Builder
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == '{' {
			b.WriteByte('}')
		} else {
			b.WriteByte(']')
		}
	}
	return b.String()
}

// removeTrailingCommas drops a comma followed (past white space) by a
// closing bracket, outside strings.
func removeTrailingCommas(s string) []byte {
	out := make([]byte, 0, len(s))
	var st strState
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !st.inString(ch) && ch == ',' {
			j := i + 1
			for j < len(s) && strings.IndexByte(" \t\r\n", s[j]) >= 0 {
				j++
			}
			if j < len(s) && (s[j] == '}' || s[j] == ']') {
				continue
			}
		}
		out = append(out, ch)
	}
	return out
}

// strState follows JSON string quoting one byte at a time.
type strState struct{ in, esc bool }

// inString reports whether ch is part of a string, quotes included.
func (t *strState) inString(ch byte) bool {
	switch {
	case !t.in:
		t.in = ch == '"'
		return t.in
	case t.esc:
		t.esc = false
	case ch == '\\':
		t.esc = true
	case ch == '"':
		t.in = false
	}
	return true
}
