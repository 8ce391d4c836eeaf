package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files in a run directory that no record names, by design.
const (
	LogFile = "events.jsonl"
	// SigFile holds the HMAC of the log's head under a key from the
	// environment (ORCHESTRATE_AUDIT_KEY): an anchor that cannot be
	// recomputed by someone who can rewrite the log but has not the key.
	SigFile = "events.jsonl.hmac"
	// TranscriptFile is what the terminal showed, written after the log
	// is closed (its last lines are the summary's): the chain does not
	// cover it, and audit says so.
	TranscriptFile = "transcript.txt"
)

// KeyEnv names the variable holding the key that signs a run's head.
const KeyEnv = "ORCHESTRATE_AUDIT_KEY"

// Anchor is what a run's log is checked against besides itself.
type Anchor struct {
	RunID   string
	Summary []byte // the run's summary file as written; nil when there is none
	Head    string // a head kept outside the run (a CI log); "" for none
	Key     []byte // the signing key; nil for none
}

// Summary fields bound in the run.end record.
type summaryFields struct {
	Status       string `json:"status"`
	ExitCode     int    `json:"exit_code"`
	TestsPassed  int    `json:"tests_passed"`
	TestsFailed  int    `json:"tests_failed"`
	TestsSkipped int    `json:"tests_skipped"`
	AuditHead    string `json:"audit_head"`
}

// SummaryDigest is the SHA-256 of a summary's JSON without its audit_head
// (which is known only after the record holding the digest), keys sorted:
// the run.end record keeps it, so any later edit of the summary shows.
func SummaryDigest(summaryJSON []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(summaryJSON))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", fmt.Errorf("audit: read summary: %w", err)
	}
	delete(m, "audit_head")
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("audit: encode summary: %w", err)
	}
	return SHA256(b), nil
}

// EndData is the data of a run's run.end record: the summary's status,
// exit code and test counts, and the digest of the whole summary.
func EndData(summaryJSON []byte) (map[string]any, error) {
	var f summaryFields
	if err := json.Unmarshal(summaryJSON, &f); err != nil {
		return nil, fmt.Errorf("audit: read summary: %w", err)
	}
	d, err := SummaryDigest(summaryJSON)
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": f.Status, "exit_code": f.ExitCode, "tests_passed": f.TestsPassed,
		"tests_failed": f.TestsFailed, "tests_skipped": f.TestsSkipped, "summary_sha256": d}, nil
}

// Sign is the HMAC-SHA256 of a run's head under key, as SigFile holds it.
func Sign(key []byte, runID, head string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "orchestrate-audit-v1\n%s\n%s\n", runID, head)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil)) + "\n"
}

// VerifyRun checks the run directory: the chain (Verify), that the run
// ended (a run.end record), that no file is there that no record names,
// that the summary is the one the run.end record binds, and the anchors
// kept outside the run. Warnings are what could not be checked.
func VerifyRun(runDir string, a Anchor) (Result, []string, error) {
	var warn []string
	var sf summaryFields
	if a.Summary != nil {
		if err := json.Unmarshal(a.Summary, &sf); err != nil {
			return Result{}, nil, &Problem{Reason: fmt.Sprintf("the summary is not valid JSON: %v", err)}
		}
	}
	f, err := os.Open(filepath.Join(runDir, LogFile))
	if err != nil {
		return Result{}, nil, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	res, err := Verify(f, runDir, sf.AuditHead)
	if err != nil {
		return res, nil, err
	}
	if res.End == nil {
		return res, nil, &Problem{Reason: fmt.Sprintf("the log has no %s record: it was cut short, or the run has not ended", TypeRunEnd)}
	}
	if err := extraFiles(runDir, res.Recorded); err != nil {
		return res, nil, err
	}
	if _, err := os.Stat(filepath.Join(runDir, TranscriptFile)); err == nil {
		warn = append(warn, TranscriptFile+" is written after the log closes: the chain does not cover it")
	}
	if a.Summary != nil {
		w, err := bindSummary(res.End, a.Summary, sf)
		if err != nil {
			return res, nil, err
		}
		warn = append(warn, w...)
	}
	if a.Head != "" && (len(a.Head) < 12 || !strings.HasPrefix(res.Head, strings.ToLower(a.Head))) {
		return res, nil, &Problem{Reason: fmt.Sprintf("the log's head %s is not the head %s kept outside the run: the log was changed or rebuilt", res.Head, a.Head)}
	}
	if a.Key != nil {
		sig, err := os.ReadFile(filepath.Join(runDir, SigFile))
		if err != nil {
			return res, nil, &Problem{Reason: fmt.Sprintf("%s is set but the run has no signed head (%v)", KeyEnv, err)}
		}
		if !hmac.Equal(bytes.TrimSpace(sig), bytes.TrimSpace([]byte(Sign(a.Key, a.RunID, res.Head)))) {
			return res, nil, &Problem{Reason: fmt.Sprintf("the signed head in %s does not match the log under the key in %s: the log was changed or rebuilt, or the key differs", SigFile, KeyEnv)}
		}
	}
	return res, warn, nil
}

// bindSummary compares the summary with the run.end record.
func bindSummary(end *Record, raw []byte, sf summaryFields) ([]string, error) {
	p := func(format string, args ...any) error {
		return &Problem{Line: int(end.Seq), Seq: end.Seq, Reason: fmt.Sprintf(format, args...)}
	}
	if st, _ := end.Data["status"].(string); st != sf.Status {
		return nil, p("the summary says status %q, the run ended %q", sf.Status, st)
	}
	if code, ok := end.Data["exit_code"].(float64); !ok || int(code) != sf.ExitCode {
		return nil, p("the summary says exit code %d, the run ended with %v", sf.ExitCode, end.Data["exit_code"])
	}
	want, ok := end.Data["summary_sha256"].(string)
	if !ok {
		return []string{"the run.end record binds only the status and exit code (written by an older orchestrate): the rest of the summary is not checked"}, nil
	}
	for k, v := range map[string]int{"tests_passed": sf.TestsPassed, "tests_failed": sf.TestsFailed, "tests_skipped": sf.TestsSkipped} {
		if n, _ := end.Data[k].(float64); int(n) != v {
			return nil, p("the summary says %s %d, the run recorded %v", k, v, end.Data[k])
		}
	}
	got, err := SummaryDigest(raw)
	if err != nil {
		return nil, err
	}
	if got != want {
		return nil, p("the summary was changed after the run (its failures, phases or another field): sha256 %s, recorded %s", short(got), short(want))
	}
	return nil, nil
}

// extraFiles fails on a file in the run directory that no record names.
func extraFiles(runDir string, recorded map[string]bool) error {
	var extra []string
	err := filepath.WalkDir(runDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(runDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != LogFile && rel != SigFile && rel != TranscriptFile && !recorded[rel] {
			extra = append(extra, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit: read the run directory: %w", err)
	}
	if len(extra) > 0 {
		return &Problem{Reason: fmt.Sprintf("%d file(s) in the run directory that no record names, added after the run: %s", len(extra), strings.Join(extra, ", "))}
	}
	return nil
}
