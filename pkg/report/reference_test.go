package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRendersTheReferenceRun renders the committed reference run's report
// input and compares the result with what that run wrote: report.md,
// report.html, junit.xml and the recommendations, byte for byte. A change
// to the rendering that is meant shows here; re-record the reference run
// with it.
func TestRendersTheReferenceRun(t *testing.T) {
	dir := filepath.Join("..", "..", "artifacts", "reference")
	var in Input
	readJSON(t, filepath.Join(dir, "07-report", "input.json"), &in)
	var out Output
	readJSON(t, filepath.Join(dir, "07-report", "output.json"), &out)

	recs := Recommend(in)
	if got, want := strings.Join(recs, "\n"), strings.Join(out.Recommendations, "\n"); got != want {
		t.Errorf("recommendations differ from the reference run's:\n got %q\nwant %q", got, want)
	}
	page, err := HTML(in, recs, dir)
	if err != nil {
		t.Fatal(err)
	}
	x, err := JUnit(in.RunID, in.Cases)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{
		"report.md":   []byte(Markdown(in, recs, dir)),
		"report.html": page,
		"junit.xml":   x,
	} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the reference run's at byte %d", name, firstDifference(got, want))
		}
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// firstDifference is the offset of the first byte where a and b differ.
func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
