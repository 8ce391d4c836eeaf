package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// golangciConfigs are the file names golangci-lint reads its settings from.
var golangciConfigs = []string{".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"}

// golangci runs golangci-lint when the module configures it and the binary
// is on PATH; its findings join the report. They are reported, not fixed:
// orchestrate verifies a fix by re-running its own analyzers.
func (r *runner) golangci(ctx context.Context, dir string) []Finding {
	if r.in.Golangci == "off" {
		return nil
	}
	configured := false
	for _, c := range golangciConfigs {
		if _, err := os.Stat(filepath.Join(dir, c)); err == nil {
			configured = true
		}
	}
	if !configured {
		return nil
	}
	bin, err := exec.LookPath("golangci-lint")
	if err != nil {
		fmt.Fprintf(r.env.Log, "%s configures golangci-lint, but it is not on PATH: its linters did not run\n", rel(r.in.Workdir, dir))
		return nil
	}
	cmd := exec.CommandContext(ctx, bin, "run", "--output.json.path=stdout", "--output.text.path=stderr", "--path-mode=abs", "./...")
	cmd.Dir = dir
	cmd.Env = r.env0()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	version := "unknown"
	if v, verr := exec.CommandContext(ctx, bin, "version", "--short").Output(); verr == nil {
		version = strings.TrimSpace(string(v))
	}
	r.write("logs/golangci-lint-"+artifact.Slug(rel(r.in.Workdir, dir))+".json", stdout.Bytes())
	fs, perr := parseGolangci(stdout.Bytes(), dir, r.in.Workdir)
	if perr != nil {
		fmt.Fprintf(r.env.Log, "golangci-lint (%v): %v\n%s", err, perr, stderr.String())
		return nil
	}
	r.env.Tools.Record(toolUse(r.env.Now(), "golangci-lint", version, fmt.Sprintf("%d finding(s) in %s", len(fs), rel(r.in.Workdir, dir))))
	return fs
}

// parseGolangci reads golangci-lint's JSON report.
func parseGolangci(b []byte, dir, workdir string) ([]Finding, error) {
	var rep struct {
		Issues []struct {
			FromLinter string
			Text       string
			Pos        struct {
				Filename     string
				Line, Column int
			}
		}
	}
	if err := json.Unmarshal(bytes.TrimSpace(b), &rep); err != nil {
		return nil, fmt.Errorf("not golangci-lint JSON: %w", err)
	}
	out := []Finding{}
	for _, is := range rep.Issues {
		abs := is.Pos.Filename
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, abs)
		}
		out = append(out, Finding{Analyzer: "golangci:" + is.FromLinter, Source: "golangci-lint", File: rel(workdir, abs),
			Line: is.Pos.Line, Column: is.Pos.Column, Message: is.Text, abs: abs})
	}
	sortFindings(out)
	return out, nil
}

func toolUse(t time.Time, tool, version, role string) phase.ToolUse {
	return phase.ToolUse{Time: t, Phase: phase.Lint, Tool: tool, Version: version, Role: role,
		Why: "The module configures golangci-lint; its linters' findings join the report so nothing the team relies on is hidden."}
}
