package lint

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

// The binary is its own vet tool: the lint phase runs
//
//	go vet -vettool=<this binary> -json ./...
//
// with vetToolEnv set to the suite's check list, and go vet runs the
// binary once per package, the way it runs cmd/vet. The go command keeps
// each package's facts and JSON findings in its build cache, keyed by the
// package's inputs and the tool's -V=full line, so an unchanged package is
// not analysed again.
const vetToolEnv = "ORCHESTRATE_LINT_VETTOOL"

// serves is set when the binary has offered itself as a vet tool (main
// calls ServeVetTool); a binary that has not, a test binary of another
// package say, is never handed to go vet, and analyses in-process.
var serves bool

// ServeVetTool runs the binary as go vet's analysis tool when the lint
// phase started it as one, and exits; otherwise it returns at once and
// the lint phase may use the binary as its vet tool. Call it first thing
// in main.
func ServeVetTool() {
	checks, ok := os.LookupEnv(vetToolEnv)
	if !ok {
		serves = true
		return
	}
	os.Exit(vetTool(checks, os.Args[1:], os.Stdout, os.Stderr))
}

// vetTool is the vet tool's main: -V=full names the binary and the check
// list (so the go command's cache keys change with either); -flags and a
// package's .cfg go to unitchecker. It returns only on -V=full or an
// error; unitchecker exits by itself.
func vetTool(checksJSON string, args []string, stdout, stderr io.Writer) int {
	var checks []string
	if err := json.Unmarshal([]byte(checksJSON), &checks); err != nil {
		fmt.Fprintf(stderr, "orchestrate vet tool: %s is not a JSON list of checks: %v\n", vetToolEnv, err)
		return 2
	}
	suite, err := NewSuite(checks)
	if err != nil {
		fmt.Fprintf(stderr, "orchestrate vet tool: %v\n", err)
		return 2
	}
	if len(args) == 1 && args[0] == "-V=full" {
		id, err := toolID(suite, checksJSON)
		if err != nil {
			fmt.Fprintf(stderr, "orchestrate vet tool: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "orchestrate version devel lint buildID=%s\n", id)
		return 0
	}
	analyzers := suite.analyzers
	if n := len(args); n > 0 && strings.HasSuffix(args[n-1], ".cfg") {
		cfg, factsOnly, err := wholeUnit(args[n-1])
		if err != nil {
			fmt.Fprintf(stderr, "orchestrate vet tool: %v\n", err)
			return 1
		}
		args = append(append([]string(nil), args[:n-1]...), cfg)
		if factsOnly {
			analyzers = factful(analyzers)
		}
	}
	// unitchecker parses the process's flags; a test binary has its own
	// registered already.
	flag.CommandLine = flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	os.Args = append([]string{os.Args[0]}, args...)
	unitchecker.Main(analyzers...)
	return 0
}

// factful is the analyzers that export facts, each with what it requires:
// all a dependency analysed only for its facts needs to run, as the
// in-process checker runs on dependencies. (unitchecker would also run
// every analyzer that merely reads facts, and throw its findings away.)
func factful(all []*analysis.Analyzer) []*analysis.Analyzer {
	var out []*analysis.Analyzer
	seen := map[*analysis.Analyzer]bool{}
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		if len(a.FactTypes) > 0 {
			out = append(out, a)
		}
		for _, r := range a.Requires {
			visit(r)
		}
	}
	for _, a := range all {
		visit(a)
	}
	return out
}

// vetProtocol changes whenever this file changes what the vet tool
// reports for a package; it is part of the tool's ID.
const vetProtocol = "orchestrate-lint-vettool/2"

// toolID is what go vet keys its cached facts and findings on besides the
// package: the analyzers' code (the Go release the binary was built with
// and every module in it, by version and checksum), this file's protocol,
// and the analyzers the check list selects. A binary rebuilt from other
// changes to orchestrate keeps the cache; new analyzer code does not.
func toolID(suite *Suite, checksJSON string) (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("the binary carries no build information to name its analyzers by")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\nmain %s %s %s\n", vetProtocol, bi.GoVersion, bi.Main.Path, bi.Main.Version, bi.Main.Sum)
	for _, d := range bi.Deps {
		fmt.Fprintf(h, "dep %s %s %s\n", d.Path, d.Version, d.Sum)
		if r := d.Replace; r != nil {
			fmt.Fprintf(h, "replaced by %s %s %s\n", r.Path, r.Version, r.Sum)
		}
	}
	for _, st := range bi.Settings {
		if strings.HasPrefix(st.Key, "vcs.") || st.Key == "-tags" {
			fmt.Fprintf(h, "setting %s=%s\n", st.Key, st.Value)
		}
	}
	fmt.Fprintf(h, "checks %s\nanalyzers %s\n", checksJSON, strings.Join(suite.Names(), ","))
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// wholeUnit is the .cfg to analyse. go vet asks a dependency for its facts
// only (VetxOnly) and caches that run's empty findings under the same key
// it later looks up when the package is vetted itself; so a package of
// the module being linted (a main-module package: a module path, no
// version) is always analysed whole, and its cached findings are right
// whichever way it was asked first. Other dependencies keep VetxOnly.
func wholeUnit(path string) (cfgPath string, factsOnly bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, err
	}
	var cfg unitchecker.Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	if !cfg.VetxOnly {
		return path, false, nil
	}
	if cfg.ModulePath == "" || cfg.ModuleVersion != "" {
		return path, true, nil
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	raw["VetxOnly"] = false
	out, err := json.Marshal(raw)
	if err != nil {
		return "", false, err
	}
	whole := filepath.Join(filepath.Dir(path), "orchestrate-whole-"+filepath.Base(path))
	return whole, false, os.WriteFile(whole, out, 0o644)
}
