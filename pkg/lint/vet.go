package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// vetJSON is one package's findings as unitchecker's -json prints them:
// by package ID, then analyzer, either a list of diagnostics or an error.
type vetJSON map[string]map[string]json.RawMessage

type vetDiagnostic struct {
	Posn           string `json:"posn"`
	Message        string `json:"message"`
	SuggestedFixes []struct {
		Edits []struct {
			Filename string `json:"filename"`
			Start    int    `json:"start"`
			End      int    `json:"end"`
			New      string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
}

// vetAnalysed counts the analyses go vet made, for the tests to tell the
// two paths apart.
var vetAnalysed atomic.Int64

// errNoVet means go vet could not analyse the module (it does not build,
// or this binary cannot serve as its vet tool): analyse it in-process.
var errNoVet = errors.New("go vet did not analyse the module")

// vetAnalyze analyses the module in dir through go vet, with this binary
// as its vet tool, so that each package's facts and findings come from
// the go build cache when its inputs have not changed. It returns errNoVet
// when the module does not type-check: the in-process analysis says where,
// as the compiler would, and still runs the analyzers that run despite
// errors.
func (s *Suite) vetAnalyze(ctx context.Context, dir, workdir string, environ []string) (Analysis, error) {
	if !serves {
		return Analysis{}, fmt.Errorf("%w: this binary does not serve as a vet tool", errNoVet)
	}
	if len(s.analyzers) == 0 {
		return Analysis{}, fmt.Errorf("%w: no analyzers selected", errNoVet)
	}
	exe, err := os.Executable()
	if err != nil {
		return Analysis{}, fmt.Errorf("%w: %v", errNoVet, err)
	}
	checks, err := json.Marshal(s.checks)
	if err != nil {
		return Analysis{}, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "vet", "-vettool="+exe, "-json", "./...")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	cmd.Env = append(append([]string(nil), environ...), vetToolEnv+"="+string(checks))
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Analysis{}, ctx.Err()
		}
		return Analysis{}, fmt.Errorf("%w: %v: %s", errNoVet, err, firstLine(stderr.String()))
	}
	found := newByModule([]string{dir})
	if err := s.vetFindings(&stdout, workdir, found); err != nil {
		return Analysis{}, err
	}
	vetAnalysed.Add(1)
	return found.result()[dir], nil
}

// vetFindings decodes go vet's output, one JSON value per package, into
// found. An analyzer's error on a package is dropped, as the in-process
// checker drops it.
func (s *Suite) vetFindings(r io.Reader, workdir string, found *byModule) error {
	byName := map[string]int{}
	for i, a := range s.analyzers {
		byName[a.Name] = i
	}
	dec := json.NewDecoder(r)
	for {
		var unit vetJSON
		if err := dec.Decode(&unit); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read go vet's findings: %w", err)
		}
		for _, byAnalyzer := range unit {
			for name, raw := range byAnalyzer {
				i, ok := byName[name]
				if !ok {
					return fmt.Errorf("go vet reported analyzer %q, which the suite does not have", name)
				}
				var diags []vetDiagnostic
				if json.Unmarshal(raw, &diags) != nil {
					continue // {"error": ...}
				}
				for _, d := range diags {
					found.add(false, s.vetFinding(i, d, workdir))
				}
			}
		}
	}
}

// vetFinding is a Finding from a diagnostic in go vet's JSON, with its
// first suggested fix as byte edits, the way finding makes one in-process.
func (s *Suite) vetFinding(i int, d vetDiagnostic, workdir string) Finding {
	a := s.analyzers[i]
	f := Finding{Analyzer: a.Name, Source: s.source[a], Message: d.Message}
	f.abs, f.Line, f.Column = splitPos(d.Posn)
	f.File = rel(workdir, f.abs)
	if len(d.SuggestedFixes) > 0 {
		var order []string
		byFile := map[string][]byteEdit{}
		for _, e := range d.SuggestedFixes[0].Edits {
			if _, ok := byFile[e.Filename]; !ok {
				order = append(order, e.Filename)
			}
			byFile[e.Filename] = append(byFile[e.Filename], byteEdit{start: e.Start, end: e.End, text: []byte(e.New)})
		}
		for _, name := range order {
			f.edits = append(f.edits, byteEdits{abs: name, edits: byFile[name]})
		}
		f.Fixable = len(f.edits) > 0
	}
	return f
}

// firstLine is go vet's first line of complaint, past the "# package"
// headers.
func firstLine(s string) string {
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return strings.TrimSpace(s)
}
