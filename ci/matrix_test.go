package ci

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

const matrixWorkflow = "matrix/github-actions.yml"

// The matrix example is clean for actionlint.
func TestMatrixWorkflowPassesActionlint(t *testing.T) {
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles([]string{matrixWorkflow}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("actionlint: %d problem(s):\n%s", len(errs), out.String())
	}
}

// workflow is what the test reads of the example: each job's steps.
type workflow struct {
	Jobs map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func (w workflow) run(t *testing.T, job, step string) string {
	t.Helper()
	for _, s := range w.Jobs[job].Steps {
		if s.Name == step || s.ID == step {
			return s.Run
		}
	}
	t.Fatalf("no step %q in job %q", step, job)
	return ""
}

// The matrix example's own scripts, run as its jobs would run them, in a
// repository with two services: the specs job finds both, each run job
// runs its service (here with --only report: no Docker, no model), the
// artifacts are laid out as download-artifact lays them out, and the
// report job merges them into one report in the step summary.
func TestMatrixWorkflowRunsEachServiceAndMergesThem(t *testing.T) {
	b, err := os.ReadFile(matrixWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "orchestrate"), "../cmd/orchestrate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := t.TempDir()
	for _, svc := range []string{"shipping-quote", "sla-credits"} {
		spec, err := os.ReadFile(filepath.Join("specs", svc, "orchestrate.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(repo, "services", svc, "orchestrate.yaml"), spec)
	}
	writeFile(t, filepath.Join(repo, "services", "README.md"), []byte("not a service\n"))
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	// job specs
	ghOut := filepath.Join(t.TempDir(), "output")
	bash(t, repo, append(env, "GITHUB_OUTPUT="+ghOut), w.run(t, "specs", "find"))
	got, _ := os.ReadFile(ghOut)
	dirsJSON, ok := strings.CutPrefix(strings.TrimSpace(string(got)), "dirs=")
	var dirs []string
	if !ok || json.Unmarshal([]byte(dirsJSON), &dirs) != nil || len(dirs) != 2 || dirs[0] != "services/shipping-quote" || dirs[1] != "services/sla-credits" {
		t.Fatalf("specs job output %q, want dirs=[the two services]", got)
	}

	// jobs run, one per matrix entry, then upload and download
	all := filepath.Join(repo, "all")
	for i, dir := range dirs {
		script := expand(w.run(t, "run", "orchestrate run"), map[string]string{"github.run_id": "7", "github.run_attempt": "1", "strategy.job-index": strconv.Itoa(i)})
		bash(t, filepath.Join(repo, dir), env, script+" --only report")
		copyTree(t, filepath.Join(repo, dir, "artifacts"), filepath.Join(all, "orchestrate-"+strconv.Itoa(i)))
	}

	// job report
	summaryFile := filepath.Join(t.TempDir(), "step-summary.md")
	bash(t, repo, append(env, "GITHUB_STEP_SUMMARY="+summaryFile), w.run(t, "report", "merge the summaries"))
	md, err := os.ReadFile(summaryFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# orchestrate: 2 run(s) merged", "**Outcome:** SUCCESS: 2 succeeded",
		"| shipping-quote | `ci-7-1-0` | success |", "| sla-credits | `ci-7-1-1` | success |", "[report](../all/orchestrate-0/ci-7-1-0/report.html)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("step summary lacks %q:\n%s", want, md)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "merged", "report.html")); err != nil {
		t.Errorf("no merged report.html: %v", err)
	}
}

var expr = regexp.MustCompile(`\$\{\{\s*([a-z._-]+)\s*\}\}`)

// expand replaces the workflow's ${{ … }} expressions with values; one it
// does not know fails the test.
func expand(s string, vals map[string]string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		k := expr.FindStringSubmatch(m)[1]
		v, ok := vals[k]
		if !ok {
			panic("no value for ${{ " + k + " }}")
		}
		return v
	})
}

func bash(t *testing.T, dir string, env []string, script string) {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("in %s: %s\n%v\n%s", dir, script, err, out)
	}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies src to dst, leaving out llm-cache/ as the upload does.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && rel == "llm-cache" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(dst, rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
