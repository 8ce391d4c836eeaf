package triage

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// corpusWant is a corpus case's want.json: what the planted fault is.
type corpusWant struct {
	Kind  string        `json:"kind"`
	Class failure.Class `json:"class"`
	Test  string        `json:"test"`
	File  string        `json:"file"`
	Line  int           `json:"line"`
}

type corpusCase struct {
	name string
	log  string
	want corpusWant
}

// corpusFloor is the accuracy TestCorpusAccuracy insists on: just under
// what the classifier achieves on the corpus.
const corpusFloor = 0.99

// corpusKnownMisses are the cases the classifier gets wrong today, with
// why. Any other case that goes wrong is a regression.
var corpusKnownMisses = map[string]string{}

func loadCorpus(t testing.TB) []corpusCase {
	dirs, err := filepath.Glob("testdata/corpus/*/want.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var out []corpusCase
	for _, w := range dirs {
		dir := filepath.Dir(w)
		c := corpusCase{name: filepath.Base(dir)}
		b, err := os.ReadFile(w)
		if err == nil {
			err = json.Unmarshal(b, &c.want)
		}
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "log.*"))
		if len(logs) != 1 {
			t.Fatalf("%s: %d logs, want one log.txt or log.jsonl", dir, len(logs))
		}
		if b, err = os.ReadFile(logs[0]); err != nil {
			t.Fatal(err)
		}
		c.log = string(b)
		out = append(out, c)
	}
	return out
}

// judge says how the first failure found differs from the case's want:
// "" when it is right. The file is compared by its last elements.
func judge(fs []Failure, w corpusWant) (got, wrong string) {
	if len(fs) == 0 {
		return "(none)", "no failure found"
	}
	f := fs[0]
	got = fmt.Sprintf("%s %s %s", f.Class, orDash(f.Test), f.Where())
	var bad []string
	if f.Class != w.Class {
		bad = append(bad, "class")
	}
	if w.Test != "" && f.Test != w.Test {
		bad = append(bad, "test")
	}
	if w.File != "" && f.File != w.File && !strings.HasSuffix(f.File, "/"+w.File) {
		bad = append(bad, "file")
	}
	if w.Line != 0 && f.Line != w.Line {
		bad = append(bad, "line")
	}
	return got, strings.Join(bad, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Every real log of the corpus, classified: the table of what each case
// wants and gets, the accuracy, and the cases that went wrong.
func TestCorpusAccuracy(t *testing.T) {
	cases := loadCorpus(t)
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "case\twant\tgot\twrong")
	right := 0
	var regressed, fixed []string
	for _, c := range cases {
		got, wrong := judge(Classify(c.log), c.want)
		w := c.want
		fmt.Fprintf(tw, "%s\t%s %s %s\t%s\t%s\n", c.name, w.Class, orDash(w.Test), orDash(wantWhere(w)), got, wrong)
		_, known := corpusKnownMisses[c.name]
		switch {
		case wrong == "":
			right++
			if known {
				fixed = append(fixed, c.name)
			}
		case !known:
			regressed = append(regressed, fmt.Sprintf("%s (%s: want %s %s %s, got %s)", c.name, wrong, w.Class, orDash(w.Test), orDash(wantWhere(w)), got))
		}
	}
	tw.Flush()
	acc := float64(right) / float64(len(cases))
	t.Logf("\n%s", table.String())
	t.Logf("classifier accuracy: %d/%d (%.1f%%)", right, len(cases), 100*acc)
	if len(fixed) > 0 {
		sort.Strings(fixed)
		t.Logf("now right, take them out of corpusKnownMisses: %s", strings.Join(fixed, ", "))
	}
	if len(regressed) > 0 {
		t.Errorf("%d cases regressed:\n  %s", len(regressed), strings.Join(regressed, "\n  "))
	}
	if acc < corpusFloor {
		t.Errorf("accuracy %.1f%% is under the floor of %.1f%%", 100*acc, 100*corpusFloor)
	}
}

func wantWhere(w corpusWant) string {
	if w.File != "" && w.Line > 0 {
		return fmt.Sprintf("%s:%d", w.File, w.Line)
	}
	return w.File
}

// The corpus covers every class the classifier can see in a log, in every
// kind of log, small and large.
func TestCorpusCoverage(t *testing.T) {
	cases := loadCorpus(t)
	classes, kinds := map[failure.Class]int{}, map[string]int{}
	large := 0
	for _, c := range cases {
		classes[c.want.Class]++
		kinds[c.want.Kind]++
		if len(c.log) >= 400<<10 {
			large++
		}
	}
	// Flaky is decided by a re-run and llm_error by the runner: no log
	// shows either.
	for _, c := range []failure.Class{failure.CompileError, failure.MissingDependency, failure.ImportError,
		failure.VetFailure, failure.AssertionFailure, failure.Panic, failure.Timeout, failure.ServiceUnreachable,
		failure.HealthcheckFailed, failure.ContainerExited, failure.PortConflict, failure.ImageBuildFailed,
		failure.DockerUnavailable} {
		if classes[c] == 0 {
			t.Errorf("no case of %s", c)
		}
	}
	if len(cases) < 40 || large < 4 || len(kinds) < 8 {
		t.Errorf("%d cases, %d large, %d kinds", len(cases), large, len(kinds))
	}
	t.Logf("by class: %v", classes)
	t.Logf("by kind: %v", kinds)
}

// Classifying a log of a megabyte, of each kind the corpus has one of.
func BenchmarkClassify1MB(b *testing.B) {
	for _, c := range loadCorpus(b) {
		if len(c.log) < 800<<10 {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.log)))
			for b.Loop() {
				Classify(c.log)
			}
		})
	}
}
