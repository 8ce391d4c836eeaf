package review

import (
	"fmt"
	"io"
	"log"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"
)

// gosecMu serialises gosec: its analyzer is not meant to run twice at once
// in one process.
var gosecMu sync.Mutex

// Gosec runs gosec's rules and analyzers in-process on every Go package
// the change touches (under root) and keeps what they find on an added
// line. gosec's own severity is kept: HIGH is high.
func Gosec(c Change, root string) ([]Finding, []string, error) {
	dirs := goDirs(c)
	if len(dirs) == 0 {
		return nil, nil, nil
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs // gosec names files absolutely
	}
	gosecMu.Lock()
	defer gosecMu.Unlock()
	a := gosec.NewAnalyzer(gosec.NewConfig(), true, true, false, 1, log.New(io.Discard, "", 0))
	a.LoadRules(rules.Generate(false).RulesInfo())
	a.LoadAnalyzers(analyzers.Generate(false).AnalyzersInfo())
	var abs []string
	for _, d := range dirs {
		abs = append(abs, filepath.Join(root, filepath.FromSlash(d)))
	}
	if err := a.Process(nil, abs...); err != nil {
		return nil, nil, fmt.Errorf("gosec: %w", err)
	}
	issues, _, errs := a.Report()
	var out []Finding
	for _, is := range issues {
		rel, err := filepath.Rel(root, is.File)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		line, _ := strconv.Atoi(strings.SplitN(is.Line, "-", 2)[0])
		if !c.Touches(rel, line) {
			continue
		}
		out = append(out, Finding{Check: "gosec", Rule: is.RuleID, Severity: score(is.Severity), File: rel, Line: line,
			Tool: "gosec v2", Message: fmt.Sprintf("%s (gosec %s, confidence %s)", is.What, is.RuleID, strings.ToLower(is.Confidence.String()))})
	}
	return out, loadErrors(root, errs), nil
}

func score(s issue.Score) string {
	switch s {
	case issue.High:
		return High
	case issue.Medium:
		return Medium
	}
	return Low
}

// loadErrors are the files gosec could not type-check: the review says so
// rather than pass them silently.
func loadErrors(root string, errs map[string][]gosec.Error) []string {
	var out []string
	for file, es := range errs {
		rel, err := filepath.Rel(root, file)
		if err != nil {
			rel = file
		}
		for _, e := range es {
			out = append(out, fmt.Sprintf("gosec could not analyse %s: %s", filepath.ToSlash(rel), e.Err))
		}
	}
	sort.Strings(out)
	return out
}

// goDirs are the directories of the changed Go files that still exist.
func goDirs(c Change) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range c.Files {
		if f.Status == "deleted" || !strings.HasSuffix(f.Path, ".go") || len(f.Added) == 0 {
			continue
		}
		d := path.Dir(f.Path)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
