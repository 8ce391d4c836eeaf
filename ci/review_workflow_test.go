package ci

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The pull_request example for `orchestrate review` passes actionlint
// and runs the review on the pull request's diff.
func TestReviewWorkflowPassesActionlint(t *testing.T) {
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles([]string{"review-pull-request.yml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("actionlint: %d problem(s):\n%s", len(errs), out.String())
	}
	src, _ := os.ReadFile("review-pull-request.yml")
	for _, want := range []string{"pull_request:", "fetch-depth: 0", `orchestrate review --offline --diff "${BASE_SHA}...HEAD"`, "upload-artifact"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the workflow lacks %q", want)
		}
	}
}
