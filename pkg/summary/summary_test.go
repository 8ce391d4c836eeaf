package summary

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

func full() *Summary {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Summary{
		SchemaVersion: SchemaVersion, RunID: "20260102T030405Z-abcdef", Status: Failed, ExitCode: 1,
		StartedAt: t0, FinishedAt: t0.Add(2 * time.Second), TimeTakenSeconds: 2,
		TraceID:         strings.Repeat("a", 32),
		ToolsUsed:       []Tool{{Name: "orchestrate", Version: "dev", Role: "orchestrator"}},
		Failures:        []Failure{{Phase: "report", Class: string(failure.LLMError), Message: "m", Where: "x"}},
		Recommendations: []string{"a", "b", "c"},
		Phases: []Phase{
			{Name: "report", Status: "success", DurationSeconds: 0.1, InputHash: strings.Repeat("0", 64)},
			{Name: "lint", Status: "skipped", SkipReason: "not selected by --only"},
		},
		ArtifactsDir: "artifacts/x", AuditHead: strings.Repeat("b", 64),
	}
}

func TestFullSummaryValidates(t *testing.T) {
	if err := ValidateValue(full()); err != nil {
		t.Fatal(err)
	}
}

// Every failure class the code can produce is one the schema accepts.
func TestSchemaKnowsEveryClass(t *testing.T) {
	for _, c := range failure.All {
		s := full()
		s.Failures[0].Class = string(c)
		if err := ValidateValue(s); err != nil {
			t.Errorf("class %s: %v", c, err)
		}
	}
}

func TestSchemaRejects(t *testing.T) {
	cases := map[string]func(*Summary){
		"unknown status":        func(s *Summary) { s.Status = "ok" },
		"two recommendations":   func(s *Summary) { s.Recommendations = s.Recommendations[:2] },
		"skip without reason":   func(s *Summary) { s.Phases[1].SkipReason = "" },
		"unknown failure class": func(s *Summary) { s.Failures[0].Class = "oops" },
		"negative tests":        func(s *Summary) { s.TestsPassed = -1 },
	}
	for name, mut := range cases {
		s := full()
		mut(s)
		if err := ValidateValue(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var m map[string]any
	b, _ := json.Marshal(full())
	json.Unmarshal(b, &m)
	m["extra"] = 1
	b, _ = json.Marshal(m)
	if Validate(b) == nil {
		t.Error("unknown top-level field accepted")
	}
}

func TestWriteKeepsBothRunsOfOneSecond(t *testing.T) {
	dir := t.TempDir()
	a, b := full(), full()
	b.RunID = "other"
	pa, err := Write(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := Write(dir, b)
	if err != nil {
		t.Fatal(err)
	}
	if pa == pb {
		t.Fatal("second summary replaced the first")
	}
	list, errs := List(dir)
	if len(list) != 2 || len(errs) != 0 {
		t.Fatalf("list: %d %v", len(list), errs)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName(a.StartedAt))); err != nil {
		t.Fatal(err)
	}
}
