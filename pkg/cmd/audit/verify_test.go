package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	auditlog "github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/cmd/run"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

const spec = `version: 1
service:
  name: audited
  module: example.com/audited
  description: answers health checks
  endpoints:
    - method: GET
      path: /healthz
      description: health
      examples:
        - name: healthy
          status: 200
          response: {status: ok}
`

// finished makes a real finished run (the report phase alone) and returns
// the artifacts directory, the run's directory and its summary's path.
func finished(t *testing.T, key string) (art, dir, sum string) {
	t.Helper()
	work := t.TempDir()
	cfg := filepath.Join(work, "orchestrate.yaml")
	if err := os.WriteFile(cfg, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _, stderr := cmdtest.Factory()
	f.Getenv = func(k string) string {
		if k == auditlog.KeyEnv {
			return key
		}
		return ""
	}
	if err := cmdtest.Exec(f, run.NewCmdRun(f, nil), "--config", cfg, "--only", "report", "--offline", "--run-id", "r1"); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "orchestrate: audit head ") {
		t.Errorf("the run does not print its audit head:\n%s", stderr)
	}
	art = filepath.Join(work, "artifacts")
	sums, _ := filepath.Glob(filepath.Join(art, "summary-*.json"))
	if len(sums) != 1 {
		t.Fatalf("summaries %v", sums)
	}
	return art, filepath.Join(art, "r1"), sums[0]
}

func audit(t *testing.T, art, head, key string) (string, error) {
	t.Helper()
	f, stdout, stderr := cmdtest.Factory()
	f.Getenv = func(k string) string {
		if k == auditlog.KeyEnv {
			return key
		}
		return ""
	}
	err := Audit(&Options{F: f, Artifacts: art, RunID: "r1", Head: head})
	return stdout.String() + stderr.String(), err
}

// editJSON rewrites a JSON file through edit.
func editJSON(t *testing.T, p string, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := artifact.MarshalJSON(m)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each tampering is caught, naming what is wrong; an untouched run passes.
func TestAuditCatchesTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, art, dir, sum string)
		want   string
	}{
		{"untouched", func(*testing.T, string, string, string) {}, ""},
		{"summary points at a clean copy", func(t *testing.T, art, dir, sum string) {
			clean := filepath.Join(t.TempDir(), "copy")
			if err := os.CopyFS(clean, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte("all good\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			editJSON(t, sum, func(m map[string]any) { m["artifacts_dir"] = clean })
		}, "report.md changed since it was recorded"},
		{"status edited", func(t *testing.T, art, dir, sum string) {
			editJSON(t, sum, func(m map[string]any) { m["status"] = "failed" })
		}, `the summary says status "failed", the run ended "success"`},
		{"exit code edited", func(t *testing.T, art, dir, sum string) {
			editJSON(t, sum, func(m map[string]any) { m["exit_code"] = 3 })
		}, "the summary says exit code 3"},
		{"test count edited", func(t *testing.T, art, dir, sum string) {
			editJSON(t, sum, func(m map[string]any) { m["tests_passed"] = 12 })
		}, "the summary says tests_passed 12"},
		{"failures edited", func(t *testing.T, art, dir, sum string) {
			editJSON(t, sum, func(m map[string]any) {
				m["failures"] = []any{map[string]any{"phase": "test", "class": "flaky", "message": "harmless"}}
			})
		}, "the summary was changed after the run"},
		{"extra file", func(t *testing.T, art, dir, sum string) {
			if err := os.WriteFile(filepath.Join(dir, "approved.txt"), []byte("yes"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "no record names, added after the run: approved.txt"},
		{"log cut before its last record, summary deleted", func(t *testing.T, art, dir, sum string) {
			p := filepath.Join(dir, artifact.EventsFile)
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
			if err := os.WriteFile(p, []byte(strings.Join(lines[:len(lines)-1], "")), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(sum); err != nil {
				t.Fatal(err)
			}
		}, "the log has no run.end record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, dir, sum := finished(t, "")
			tt.tamper(t, art, dir, sum)
			out, err := audit(t, art, "", "")
			if tt.want == "" {
				if err != nil || !strings.Contains(out, "audit OK") || !strings.Contains(out, "verifying run directory "+dir) {
					t.Fatalf("untouched run: %v\n%s", err, out)
				}
				return
			}
			if cmdutil.ExitCode(err) != summary.ExitFailed || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("audit: %v (exit %d)\n%s\nwant exit 1 and %q", err, cmdutil.ExitCode(err), out, tt.want)
			}
		})
	}
}

// rechain rewrites report.md and recomputes the whole chain and the
// summary's head: everything beside the log agrees again.
func rechain(t *testing.T, dir, sum string) {
	t.Helper()
	content := []byte("# rewritten\n")
	if err := os.WriteFile(filepath.Join(dir, "report.md"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	fileSum := sha256.Sum256(content)
	p := filepath.Join(dir, artifact.EventsFile)
	b, _ := os.ReadFile(p)
	var out bytes.Buffer
	prev := auditlog.Genesis
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r auditlog.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type == auditlog.TypeFile && r.Data["path"] == "report.md" {
			r.Data["sha256"] = hex.EncodeToString(fileSum[:])
			r.Data["bytes"] = len(content)
		}
		r.Prev, r.Hash = prev, ""
		raw, _ := json.Marshal(r)
		h := sha256.Sum256(raw)
		r.Hash = hex.EncodeToString(h[:])
		prev = r.Hash
		raw, _ = json.Marshal(r)
		out.Write(append(raw, '\n'))
	}
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	editJSON(t, sum, func(m map[string]any) { m["audit_head"] = prev })
}

// A chain recomputed after an edit passes when nothing outside the run
// anchors it (the documented limit), and fails against a head kept
// outside the run or a head signed with a key.
func TestAuditAnchorsOutsideTheRun(t *testing.T) {
	const key = "audit-key-kept-in-ci-secrets"
	art, dir, sum := finished(t, key)
	s, err := summary.Read(sum)
	if err != nil {
		t.Fatal(err)
	}
	head := s.AuditHead
	if b, err := os.ReadFile(filepath.Join(dir, auditlog.SigFile)); err != nil || !strings.HasPrefix(string(b), "hmac-sha256:") {
		t.Fatalf("signed head: %q %v", b, err)
	}
	for _, c := range []struct{ head, key string }{{head, ""}, {head[:12], ""}, {"", key}, {head, key}} {
		if out, err := audit(t, art, c.head, c.key); err != nil {
			t.Fatalf("untouched run, head %q key %v: %v\n%s", c.head, c.key != "", err, out)
		}
	}
	if _, err := audit(t, art, "", "another-key-entirely"); err == nil || !strings.Contains(err.Error(), "does not match the log under the key") {
		t.Errorf("a wrong key: %v", err)
	}

	rechain(t, dir, sum)
	if out, err := audit(t, art, "", ""); err != nil {
		t.Fatalf("a recomputed chain without an anchor should pass (the documented limit), got %v\n%s", err, out)
	}
	if _, err := audit(t, art, head, ""); err == nil || !strings.Contains(err.Error(), "is not the head "+head+" kept outside the run") {
		t.Errorf("--head of the original run: %v", err)
	}
	if _, err := audit(t, art, "", key); err == nil || !strings.Contains(err.Error(), "signed head") {
		t.Errorf("the signed head: %v", err)
	}
}

// The key that signs the head is a secret: it reaches no file of the run.
func TestAuditKeyIsNotStored(t *testing.T) {
	const key = "audit-key-kept-in-ci-secrets"
	work := t.TempDir()
	cfg := filepath.Join(work, "orchestrate.yaml")
	if err := os.WriteFile(cfg, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _, _ := cmdtest.Factory()
	f.Environ = func() []string { return []string{auditlog.KeyEnv + "=" + key} }
	f.Getenv = func(k string) string { return map[string]string{auditlog.KeyEnv: key}[k] }
	if err := cmdtest.Exec(f, run.NewCmdRun(f, nil), "--config", cfg, "--only", "report", "--offline"); err != nil {
		t.Fatal(err)
	}
	_ = filepath.Walk(work, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(key)) {
				t.Errorf("%s holds the audit key", p)
			}
		}
		return nil
	})
}
