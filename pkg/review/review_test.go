package review

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
)

// specs are the reference spec and one of ci/specs, each committed in a
// git repository of its own for a test to change.
var specs = map[string]string{"reference": ".", "sla-credits": "ci/specs/sla-credits"}

func gitRepo(t *testing.T, src string) (string, *config.Config) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs gosec over the service: not in -short")
	}
	dir := t.TempDir()
	root := filepath.Join(phasetest.Root(), src)
	for _, p := range []string{"orchestrate.yaml", "service", "tests"} {
		if out, err := exec.Command("cp", "-r", filepath.Join(root, p), filepath.Join(dir, p)).CombinedOutput(); err != nil {
			t.Fatalf("cp %s: %v %s", p, err, out)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base"}} {
		if _, err := Git(context.Background(), dir, args...); err != nil {
			t.Fatal(err)
		}
	}
	return dir, phasetest.ConfigAt(t, filepath.Join(dir, "orchestrate.yaml"), Settings)
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runPhase runs the review phase offline with no model configured.
func runPhase(t *testing.T, dir string, cfg *config.Config) (Output, error) {
	t.Helper()
	cfg.LLM.Mode = "replay"
	delete(cfg.LLM.Roles, Role)
	in, err := Configure(phase.Setup{Config: cfg, Workdir: dir, RunID: "run1"})
	if err != nil {
		t.Fatal(err)
	}
	h := phasetest.Bare(t, Name)
	return Run(context.Background(), h.Env, in)
}

// Each planted problem holds the run before deploy, offline, with no
// model: a hardcoded credential, a debug print of a secret, an endpoint
// removed from the spec. A clean change passes.
func TestPlantedProblemsEscalateWithoutAModel(t *testing.T) {
	cases := []struct {
		name, file, src string
		rule            *regexp.Regexp
	}{
		{"hardcoded credential", "service/dbconfig.go", "package main\n\n// dbPassword is the production database's password.\nconst dbPassword = \"Pr0d-Db-Pa55w0rd-2026!\"\n\nvar _ = dbPassword\n", regexp.MustCompile(`hardcoded-password|G101|generic-api-key`)},
		{"hardcoded token", "service/notify.go", "package main\n\n// githubToken posts deploy statuses.\nvar githubToken = \"ghp_R8x2kQ7mN4vB9cL1pZ6wY3tH5jF0gD2sA8eU\"\n\nvar _ = githubToken\n", regexp.MustCompile(`github-pat at service/notify.go:4 \(secrets, gitleaks v8\)`)},
		{"TLS verification off", "service/client.go", "package main\n\nimport \"crypto/tls\"\n\n// insecure is for a self-signed staging host.\nvar insecure = &tls.Config{InsecureSkipVerify: true}\n\nvar _ = insecure\n", regexp.MustCompile(`G402 at service/client.go:6 \(gosec, gosec v2\)`)},
		{"debug print of a secret", "service/debug.go", "package main\n\nimport (\n\t\"log\"\n\t\"os\"\n)\n\nfunc debugConfig() {\n\tapiToken := os.Getenv(\"API_TOKEN\")\n\tlog.Printf(\"starting with token %s\", apiToken)\n}\n\nvar _ = debugConfig\n", regexp.MustCompile(`debug-print-secret`)},
		{"removed endpoint", "", "", regexp.MustCompile(`endpoint-removed`)},
	}
	for spec, src := range specs {
		for _, c := range cases {
			t.Run(spec+"/"+c.name, func(t *testing.T) {
				dir, cfg := gitRepo(t, src)
				if c.file != "" {
					write(t, dir, c.file, c.src)
				} else {
					cfg.Service.Endpoints = cfg.Service.Endpoints[:len(cfg.Service.Endpoints)-1]
					removeLastEndpoint(t, dir)
				}
				out, err := runPhase(t, dir, cfg)
				h, held := phase.IsHold(err)
				if !held {
					t.Fatalf("not held: err %v, decision %+v, findings %+v", err, out.Decision, out.Findings)
				}
				if !c.rule.MatchString(strings.Join(out.Decision.Reasons, "\n")) {
					t.Errorf("reasons do not name %s: %q", c.rule, out.Decision.Reasons)
				}
				if out.Model.Ran || !strings.Contains(out.Model.Why, "no model") {
					t.Errorf("the model is said to have run: %+v", out.Model)
				}
				if !strings.Contains(h.Next, "orchestrate approve run1 --reason") {
					t.Errorf("the hold does not say how to approve: %q", h.Next)
				}
			})
		}
		t.Run(spec+"/clean change", func(t *testing.T) {
			dir, cfg := gitRepo(t, src)
			write(t, dir, "service/version.go", "package main\n\n// buildVersion names the build in logs.\nconst buildVersion = \"1.4.2\"\n\nvar _ = buildVersion\n")
			out, err := runPhase(t, dir, cfg)
			if err != nil || out.Decision.Escalate {
				t.Fatalf("a clean change was held: %v %+v %+v", err, out.Decision, out.Findings)
			}
			if len(out.Files) != 1 || out.Added != 6 {
				t.Errorf("change: %v +%d", out.Files, out.Added)
			}
		})
	}
}

// removeLastEndpoint deletes the spec's last endpoint from the YAML, as
// an edit to orchestrate.yaml would.
func removeLastEndpoint(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "orchestrate.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.LastIndex(s, "\n    - method:")
	rest := s[i+1:]
	end := regexp.MustCompile(`\n[a-z]`).FindStringIndex(rest) // the next top-level key
	if i < 0 || end == nil {
		t.Fatal("no endpoint to remove")
	}
	write(t, dir, "orchestrate.yaml", s[:i+1]+rest[end[0]+1:])
}

func TestNothingChangedIsSkipped(t *testing.T) {
	dir, cfg := gitRepo(t, ".")
	_, err := runPhase(t, dir, cfg)
	if why, ok := phase.IsSkip(err); !ok || !strings.Contains(why, "nothing changed") {
		t.Fatalf("got %v", err)
	}
}
