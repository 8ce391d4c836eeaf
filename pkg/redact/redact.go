// Package redact removes secrets from text before it leaves the process or
// reaches disk: the exact values of configured secrets, and anything shaped
// like an API key, token or private key.
package redact

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// minSecretLen keeps short values (a port, "true") from being treated as
// secrets and shredding unrelated text.
const minSecretLen = 8

// patterns match credentials by shape. Each names what it found so a reader
// of the redacted text knows what kind of value was there.
var patterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"private-key", regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`)},
	{"openai-key", regexp.MustCompile(`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`)},
	{"anthropic-key", regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`)},
	{"github-token", regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})`)},
	{"aws-access-key", regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"slack-token", regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}`)},
	{"google-api-key", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`)},
	{"bearer-token", regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{20,}`)},
}

// Redactor replaces secrets in text. The zero value redacts by shape only.
type Redactor struct {
	values []string // longest first, so a secret containing another is removed whole
	raw    []string // the values as given
	repl   *strings.Replacer
}

// New returns a Redactor for the given secret values. Values shorter than
// eight characters are ignored.
func New(values ...string) *Redactor {
	r := &Redactor{}
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen || seen[v] {
			continue
		}
		r.raw = append(r.raw, v)
		for _, form := range Forms(v) {
			if !seen[form] {
				seen[form] = true
				r.values = append(r.values, form)
			}
		}
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	if len(r.values) > 0 {
		pairs := make([]string, 0, 2*len(r.values))
		for _, v := range r.values {
			pairs = append(pairs, v, "[REDACTED:secret]")
		}
		r.repl = strings.NewReplacer(pairs...)
	}
	return r
}

// Forms are the ways a secret value appears in what a run writes: as is,
// and escaped inside a JSON string (run.json, a phase's input, a model's
// answer quoting it), with and without HTML escaping. A value with a
// quote, a backslash or a control character differs in each.
func Forms(v string) []string {
	out := []string{v}
	for _, html := range []bool{false, true} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) != nil {
			continue
		}
		e := strings.TrimSuffix(b.String(), "\n")
		e = e[1 : len(e)-1]
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
		// A JSON string inside a JSON string (a model answer stored in a
		// cache entry or an exchange's record) escapes it twice.
		b.Reset()
		if enc.Encode(e) == nil {
			e2 := strings.TrimSuffix(b.String(), "\n")
			if e2 = e2[1 : len(e2)-1]; !slices.Contains(out, e2) {
				out = append(out, e2)
			}
		}
	}
	return out
}

// FromEnv collects the values of the named environment variables, plus those
// of any variable whose name says it holds a credential.
func FromEnv(environ []string, names ...string) *Redactor {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var vals []string
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			continue
		}
		if want[k] || secretName(k) {
			vals = append(vals, v)
		}
	}
	return New(vals...)
}

func secretName(k string) bool {
	k = strings.ToUpper(k)
	for _, s := range []string{"API_KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// String returns s with every secret replaced.
func (r *Redactor) String(s string) string {
	if r != nil && r.repl != nil {
		s = r.repl.Replace(s)
	}
	for _, p := range patterns {
		if !mayMatch(p.name, s) {
			continue
		}
		s = p.re.ReplaceAllString(s, "[REDACTED:"+p.name+"]")
	}
	return s
}

// Bytes is String for byte slices.
func (r *Redactor) Bytes(b []byte) []byte {
	out := r.String(string(b))
	if out == string(b) {
		return b
	}
	return []byte(out)
}

// Contains reports whether s holds anything the Redactor would replace.
func (r *Redactor) Contains(s string) bool { return r.String(s) != s }

// mayMatch is a cheap prefilter: running every regexp over a 100 KB prompt
// costs more than a substring scan that rules most of them out.
func mayMatch(name, s string) bool {
	switch name {
	case "private-key":
		return strings.Contains(s, "PRIVATE KEY-----")
	case "openai-key", "anthropic-key":
		return strings.Contains(s, "sk-")
	case "github-token":
		return strings.Contains(s, "gh") || strings.Contains(s, "github_pat_")
	case "aws-access-key":
		return strings.Contains(s, "AKIA") || strings.Contains(s, "ASIA")
	case "slack-token":
		return strings.Contains(s, "xox")
	case "google-api-key":
		return strings.Contains(s, "AIza")
	case "bearer-token":
		return strings.Contains(s, "earer") || strings.Contains(s, "EARER")
	}
	return true
}
