package redact

import (
	"strings"
	"testing"
)

func TestRedactsConfiguredValuesAndShapes(t *testing.T) {
	r := FromEnv([]string{"OPENAI_API_KEY=not-a-real-key-123456", "HOME=/root", "MY_TOKEN=tok-abcdefgh", "PORT=8080"})
	cases := []struct{ in, notWant string }{
		{"key is not-a-real-key-123456 ok", "not-a-real-key-123456"},
		{"tok-abcdefgh", "tok-abcdefgh"},
		{"Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"},
		{"sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"ghp_0123456789abcdefghijklmnopqrstuvwxyz", "ghp_0123456789"},
		{"AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "MIIE"},
	}
	for _, c := range cases {
		got := r.String(c.in)
		if strings.Contains(got, c.notWant) {
			t.Errorf("String(%q) = %q, still holds %q", c.in, got, c.notWant)
		}
		if !strings.Contains(got, "[REDACTED:") {
			t.Errorf("String(%q) = %q, no redaction marker", c.in, got)
		}
	}
	// Ordinary text, a home directory and a short port value are left alone.
	for _, s := range []string{"/root/go", "listen on 8080", "the task is done"} {
		if got := r.String(s); got != s {
			t.Errorf("String(%q) = %q, want unchanged", s, got)
		}
	}
}

func TestLongestSecretWins(t *testing.T) {
	r := New("abcdefgh", "abcdefgh-longer")
	if got := r.String("x abcdefgh-longer y"); got != "x [REDACTED:secret] y" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkRedact100KB(b *testing.B) {
	r := New("not-a-real-key-123456")
	s := strings.Repeat("func handler(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) }\n", 1400)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		r.String(s)
	}
}
