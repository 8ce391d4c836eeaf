package redact

import (
	"slices"
	"strings"
	"testing"
)

func TestURLMasksCredentials(t *testing.T) {
	tests := []struct {
		in, want string
		creds    []string
	}{
		{"https://alice:hunter2-long-pw@llm.example.com/v1", "https://alice:REDACTED@llm.example.com/v1", []string{"hunter2-long-pw"}},
		{"https://tok3n-as-user@llm.example.com/v1", "https://REDACTED@llm.example.com/v1", []string{"tok3n-as-user"}},
		{"https://x.openai.azure.com/openai?api-key=abc123secret&api-version=2024", "https://x.openai.azure.com/openai?api-key=REDACTED&api-version=2024", []string{"abc123secret"}},
		{"http://h:11434/?token=t0k&key=k3y&model=m", "http://h:11434/?key=REDACTED&model=m&token=REDACTED", []string{"k3y", "t0k"}},
		{"http://127.0.0.1:11434", "http://127.0.0.1:11434", nil},
		{"unix:///var/run/docker.sock", "unix:///var/run/docker.sock", nil},
		{"", "", nil},
	}
	for _, tt := range tests {
		got, creds := URL(tt.in)
		slices.Sort(creds)
		if got != tt.want || !slices.Equal(creds, tt.creds) {
			t.Errorf("URL(%q) = %q, %q; want %q, %q", tt.in, got, creds, tt.want, tt.creds)
		}
	}
}

func TestWithAddsValues(t *testing.T) {
	r := New("first-secret-value").With("second-secret-value")
	got := r.String("first-secret-value second-secret-value")
	if strings.Contains(got, "secret-value") {
		t.Errorf("got %q", got)
	}
}

// Values with a quote, a backslash or a tab are redacted in their JSON
// escaped forms too, once and twice escaped.
func TestRedactsJSONEscapedForms(t *testing.T) {
	r := New("a\"b\\c\td-long-enough", "<html>&secret-value")
	for _, in := range []string{
		`{"v":"a\"b\\c\td-long-enough"}`,
		`"{\"v\":\"a\\\"b\\\\c\\td-long-enough\"}"`,
		`{"v":"\u003chtml\u003e\u0026secret-value"}`,
		`{"v":"<html>&secret-value"}`,
	} {
		if got := r.String(in); !strings.Contains(got, "[REDACTED:secret]") || strings.Contains(got, "long-enough") || strings.Contains(got, "secret-value") {
			t.Errorf("String(%s) = %s", in, got)
		}
	}
}
