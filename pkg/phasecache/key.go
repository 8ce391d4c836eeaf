package phasecache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Parts are what a phase's cache key is made of.
type Parts struct {
	Input  string            `json:"input"`  // SHA-256 of the Input's JSON, its run id left out
	Config string            `json:"config"` // of the model settings and the phase's own config
	Tools  string            `json:"tools"`  // of the orchestrate binary and the tools' versions
	Files  map[string]string `json:"files"`  // what it reads on disk: path → SHA-256
}

// Key is the phase's input hash: the SHA-256 of its parts.
func (p Parts) Key() string {
	h := sha256.New()
	fmt.Fprintf(h, "input %s\nconfig %s\ntools %s\n", p.Input, p.Config, p.Tools)
	for _, f := range sortedKeys(p.Files) {
		fmt.Fprintf(h, "file %s %s\n", p.Files[f], f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HashJSON is the SHA-256 of v's JSON with the top-level keys in drop
// left out (the run id: a hash that holds it never matches another run).
func HashJSON(v any, drop ...string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if len(drop) > 0 {
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil {
			for _, k := range drop {
				delete(m, k)
			}
			b, _ = json.Marshal(m) // map keys sorted: stable
		}
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// FileChanges says how files differ from was: "service/a.go changed",
// "added", "removed"; at most limit lines, then how many more.
func FileChanges(was, now map[string]string, limit int) []string {
	var out []string
	for _, p := range sortedKeys(union(was, now)) {
		a, inWas := was[p]
		b, inNow := now[p]
		switch {
		case !inWas:
			out = append(out, p+" added")
		case !inNow:
			out = append(out, p+" removed")
		case a != b:
			out = append(out, p+" changed")
		}
	}
	if len(out) > limit {
		out = append(out[:limit], fmt.Sprintf("%d more", len(out)-limit))
	}
	return out
}

// Same says whether two file sets are equal.
func Same(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func union(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func join(xs []string) string { return strings.Join(xs, ", ") }
