// Package redact removes secrets from text before it leaves the process or
// reaches disk: the exact values of configured secrets, and anything shaped
// like an API key, token or private key.
package redact

import (
	"regexp"
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
		seen[v] = true
		r.values = append(r.values, v)
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
