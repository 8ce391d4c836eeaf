package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// Severities of a finding. A high one stops the change before deploy.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Finding is one thing a deterministic check found on a line the change
// adds (or, for a breaking change, in the spec).
type Finding struct {
	Check    string `json:"check"` // secrets, gosec, constructs, breaking
	Rule     string `json:"rule"`  // the tool's rule id: generic-api-key, G101, debug-print-secret, endpoint-removed
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Message  string `json:"message"`
	Tool     string `json:"tool"` // what found it: gitleaks v8, gosec v2, orchestrate
}

// Where is file:line, or the file alone.
func (f Finding) Where() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return f.File
}

// source reads a changed file's new version.
type source func(path string) ([]byte, error)

// fromDir reads new versions from the working tree under root.
func fromDir(root string) source {
	return func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(root, filepath.FromSlash(p))) }
}

var (
	leaksOnce sync.Once
	leaksBase *detect.Detector // holds gitleaks' default config
	leaksErr  error
)

// fragments is a gitleaks source: the new versions of changed files.
type fragments []sources.Fragment

func (fs fragments) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	for _, f := range fs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := yield(f, nil); err != nil {
			return err
		}
	}
	return nil
}

// Secrets runs gitleaks' detector, with its default rules, over every
// changed file and keeps what it finds on an added line. A secret is high.
func Secrets(ctx context.Context, c Change, read source) ([]Finding, error) {
	leaksOnce.Do(func() { leaksBase, leaksErr = detect.NewDetectorDefaultConfig() })
	if leaksErr != nil {
		return nil, fmt.Errorf("gitleaks: %w", leaksErr)
	}
	var src fragments
	for _, f := range c.Files {
		if f.Status == "deleted" || len(f.Added) == 0 {
			continue
		}
		if b, err := read(f.Path); err == nil { // else the model sees the hunks
			src = append(src, sources.Fragment{Raw: string(b), FilePath: f.Path})
		}
	}
	found, err := detect.NewDetectorContext(ctx, leaksBase.Config).DetectSource(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("gitleaks: %w", err)
	}
	var out []Finding
	for _, s := range found {
		line := s.StartLine + 1 // gitleaks counts from 0
		if !c.Touches(s.File, line) {
			continue
		}
		out = append(out, Finding{Check: "secrets", Rule: s.RuleID, Severity: High, File: s.File, Line: line, Tool: "gitleaks v8",
			Message: fmt.Sprintf("%s: a secret (%s) is written into the code; move it to the environment or a secret store and rotate it", s.Description, mask(s.Secret))})
	}
	return out, nil
}

// mask shows the first characters of a secret only.
func mask(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:4] + strings.Repeat("*", min(len(s)-4, 12))
}

// sortFindings orders findings by severity, then place, and drops
// duplicates (a package analysed with and without its tests).
func sortFindings(fs []Finding) []Finding {
	rank := map[string]int{High: 0, Medium: 1, Low: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Rule < b.Rule
	})
	var out []Finding
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.Check + "|" + f.Rule + "|" + f.Where()
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
