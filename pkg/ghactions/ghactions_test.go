package ghactions

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestPublish(t *testing.T) {
	step := filepath.Join(t.TempDir(), "step.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": step}
	s := &summary.Summary{Status: summary.Failed}
	for i := 0; i < 12; i++ {
		s.Failures = append(s.Failures, summary.Failure{Phase: "test", Class: "assertion_failure", Message: fmt.Sprintf("got %d, want 100%%\nsecond line", i), Where: "service/handlers.go:42"})
	}
	s.Failures[1].Where = "03-lint/findings-after.json"
	var out bytes.Buffer
	if err := Publish(func(k string) string { return env[k] }, &out, s, []byte("# report\n")); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[10], "::notice") || !strings.Contains(lines[10], "2 more") {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	if lines[0] != "::error file=service/handlers.go,line=42,title=test%3A assertion_failure::got 0, want 100%25%0Asecond line" {
		t.Errorf("annotation: %s", lines[0])
	}
	if strings.Contains(lines[1], "file=") {
		t.Errorf("an artifact path is not a source line: %s", lines[1])
	}
	b, _ := os.ReadFile(step)
	if string(b) != "# report\n" {
		t.Errorf("step summary: %q", b)
	}
	// Outside GitHub Actions: nothing.
	out.Reset()
	if err := Publish(func(string) string { return "" }, &out, s, []byte("x")); err != nil || out.Len() != 0 {
		t.Errorf("outside Actions: %v %q", err, out.String())
	}
}

func TestStepSummaryFitsTheLimit(t *testing.T) {
	big := bytes.Repeat([]byte("| a line of a large report |\n"), 60000)
	got := StepSummary(big)
	if len(got) > MaxSummary || !bytes.HasSuffix(got, []byte("run's artifacts)_\n")) {
		t.Errorf("%d bytes", len(got))
	}
	if small := StepSummary([]byte("x\n")); string(small) != "x\n" {
		t.Errorf("a small report changed: %q", small)
	}
}
