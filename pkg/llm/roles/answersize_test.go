package roles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

// An answer over llm.max_answer_bytes is refused unparsed, like one that
// does not parse, and the re-ask quotes only the start of it.
func TestOversizedAnswerIsRefusedAndQuotedInPart(t *testing.T) {
	// Valid JSON that would parse: only the cap refuses it.
	big := `{"summary":"` + strings.Repeat("x", 200<<10) + `","files":[]}`
	srv := newServer(t, reply{status: 200, content: big}, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, func(l *config.LLM) { l.MaxAnswerBytes = 100 << 10 })
	a, err := ask(e, "codegen", "x")
	if err != nil || a.Summary != "ok" {
		t.Fatalf("%+v %v", a, err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the answer and one re-ask", len(reqs))
	}
	if !strings.Contains(reqs[1], "more than llm.max_answer_bytes (102400)") || !strings.Contains(reqs[1], "more bytes of this answer not shown") {
		t.Errorf("re-ask does not say why or does not cut the quote: %.300s", reqs[1])
	}
	if len(reqs[1]) > len(reqs[0])+llm.ReaskQuoteBytes+2048 {
		t.Errorf("re-ask is %d bytes, the first request %d: the answer was quoted whole", len(reqs[1]), len(reqs[0]))
	}
}

// An exchange whose files cannot be written fails the ask: its answer is
// not used, and the run's error is set.
func TestExchangeWhoseEvidenceCannotBeWrittenFails(t *testing.T) {
	srv := newServer(t, reply{status: 200, content: good})
	e := setup(t, llm.ModeLive, srv.URL, nil)
	// A file where the phase's folder should be: every write under it fails,
	// as on a full disk, even for root.
	if err := os.WriteFile(filepath.Join(e.run.Dir, "01-scaffold"), []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ask(e, "codegen", "x")
	if failure.ClassOf(err) != failure.InternalError || !strings.Contains(err.Error(), "could not be written") {
		t.Fatalf("got %v, want an internal error about the evidence", err)
	}
	if e.run.Err() == nil {
		t.Error("the run does not know its evidence failed")
	}
}
