package scaffold

import (
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// A path with a NUL byte or a 300-byte name is refused and recorded like
// any other bad path; the phase goes on with the rest of the answer.
func TestRefusesNULAndOverlongNames(t *testing.T) {
	long := strings.Repeat("a", 297) + ".go"
	h := phasetest.New(t, "scaffold", phasetest.Config(t), func(p string, n int) (string, bool) {
		return answer(t, "handlers.go", handlers(t), "bad\x00name.go", "package main\n", long, "package main\n"), true
	})
	out, err := run(t, h, false)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, h.Log)
	}
	if !out.Build.OK {
		t.Errorf("build = %+v, want ok", out.Build)
	}
	want := map[string]string{"bad\x00name.go": "control character", long: "name of 300 bytes"}
	if len(out.Refused) != len(want) {
		t.Fatalf("refused %+v, want %d", out.Refused, len(want))
	}
	for _, r := range out.Refused {
		if !strings.Contains(r.Reason, want[r.Path]) {
			t.Errorf("refusal of %q: %q, want a reason about %q", r.Path, r.Reason, want[r.Path])
		}
	}
	if strings.Count(h.Read(t, "events.jsonl"), `"refuse-file"`) != 2 {
		t.Error("the refusals are not both in the audit log")
	}
}
