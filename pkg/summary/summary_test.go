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
		Notes:           []Failure{{Phase: "test", Class: string(failure.Flaky), Message: "TestX failed, then passed when re-run alone"}},
		Recommendations: []string{"a", "b", "c"},
		Phases: []Phase{
			{Name: "report", Status: "success", DurationSeconds: 0.1, InputHash: strings.Repeat("0", 64)},
			{Name: "lint", Status: "skipped", SkipReason: "not selected by --only"},
			{Name: "mutation", Status: "success", DurationSeconds: 9, Result: json.RawMessage(`{"mutants":30,"killed":24,"survived":4,"not_covered":1,"timed_out":0,"did_not_compile":0,"equivalent":1,"score":0.857,"seconds":9}`)},
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
		"null recommendations":  func(s *Summary) { s.Recommendations = nil },
		"null notes":            func(s *Summary) { s.Notes = nil },
		"skip without reason":   func(s *Summary) { s.Phases[1].SkipReason = "" },
		"unknown failure class": func(s *Summary) { s.Failures[0].Class = "oops" },
		"negative tests":        func(s *Summary) { s.TestsPassed = -1 },
		"a result without a required field": func(s *Summary) {
			s.Phases[2].Result = json.RawMessage(`{"mutants":30,"killed":24,"survived":4,"not_covered":1,"timed_out":0,"did_not_compile":0,"equivalent":1,"seconds":9}`)
		},
		"a score over 1": func(s *Summary) {
			s.Phases[2].Result = json.RawMessage(strings.Replace(string(s.Phases[2].Result), "0.857", "1.5", 1))
		},
		"a field the phase does not have": func(s *Summary) {
			s.Phases[2].Result = json.RawMessage(strings.Replace(string(s.Phases[2].Result), `"seconds":9`, `"seconds":9,"extra":1`, 1))
		},
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

// A 1.x summary, whose failures also held notes, reads as the current
// schema: a success's failures are all notes; a failed run's notes are
// told by what they said.
// A 2.x summary's top-level mutation score is read into the mutation
// phase's record.
func TestReadUpgradesV2Mutation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "summary-a.json")
	doc := `{"schema_version":"2.1.0","run_id":"a","status":"success","phases":[{"name":"mutation","status":"success","duration_seconds":9}],"mutation":{"mutants":30,"killed":24,"score":0.86}}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Phases[0].Result); got != `{"mutants":30,"killed":24,"score":0.86}` {
		t.Errorf("mutation result %s", got)
	}
}

func TestReadUpgradesV1(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("summary-a.json", `{"schema_version":"1.0.0","run_id":"a","status":"success","failures":[
		{"phase":"test","class":"assertion_failure","message":"remediated in iteration 1 by triage: x"},
		{"phase":"lint","class":"lint_findings","message":"SA4006: y"}]}`)
	bad := write("summary-b.json", `{"schema_version":"1.0.0","run_id":"b","status":"failed","failures":[
		{"phase":"test","class":"assertion_failure","message":"TestPost/bad: status 200, want 400"},
		{"phase":"test","class":"flaky","message":"TestZ failed, then passed when re-run alone: flaky"},
		{"phase":"test","class":"assertion_failure","message":"injected fault negate at handlers.go:12"}]}`)
	s, err := Read(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 0 || len(s.Notes) != 2 {
		t.Errorf("success: %d failures, %d notes; want 0 and 2", len(s.Failures), len(s.Notes))
	}
	s, err = Read(bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || s.Failures[0].Message != "TestPost/bad: status 200, want 400" || len(s.Notes) != 2 {
		t.Errorf("failed: failures %+v, notes %+v", s.Failures, s.Notes)
	}
}
