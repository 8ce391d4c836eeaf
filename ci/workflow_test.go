package ci

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The workflow GitHub runs is the ci/ source, byte for byte.
func TestWorkflowHasNotDrifted(t *testing.T) {
	src, err := os.ReadFile("github-actions.yml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../.github/workflows/orchestrate.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, got) {
		t.Fatal(".github/workflows/orchestrate.yml differs from ci/github-actions.yml: edit the ci/ file and run `go generate ./ci`")
	}
}

// actionlint finds nothing in the workflow.
func TestWorkflowPassesActionlint(t *testing.T) {
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles([]string{"../.github/workflows/orchestrate.yml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("actionlint: %d problem(s):\n%s", len(errs), out.String())
	}
	// The job runs the same binary, offline, and keeps what a reviewer reads.
	src, _ := os.ReadFile("github-actions.yml")
	for _, want := range []string{"orchestrate run --offline", "upload-artifact", "junit.xml", "bash .ci/run"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the workflow lacks %q", want)
		}
	}
}
