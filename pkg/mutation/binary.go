package mutation

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
)

// One binary per mutant: `go test -c` links the mutant's unit tests once,
// and the same binary is the service the acceptance tests run against.
// A test file the overlay adds gives the binary a TestMain that calls the
// package's main() when serveEnv is set, and runs the tests otherwise.
// A survivor of the unit tests so costs one compile, one link and one go
// command, not two of each; every other mutant costs a little more link
// (main() and what only it uses are linked in: 7.6 MB instead of 5.3).
// A mutant only the acceptance tests cover is built with go build, its
// test files never compiled. No binary carries DWARF or a symbol table
// (buildFlags), which nothing here reads. What differs from the service's own
// binary: the test files' package-level declarations are linked in, and
// testing.Testing() reports true. A package that is not main, has a
// TestMain of its own or a test file with an init function keeps go test
// then go build (run.go).

// serveEnv set to 1 makes a mutant's test binary run the service.
const serveEnv = "ORCHESTRATE_MUTANT_SERVE"

// serveFile is the test file the overlay adds to the service's package.
const serveFile = "orchestrate_mutant_serve_test.go"

// serveMain is that file. Its imports are renamed: a package-level os or
// testing of the service's own would clash with the plain names.
const serveMain = `package main

import (
	orchestrateOS "os"
	orchestrateTesting "testing"
)

// TestMain runs the service when ` + serveEnv + `=1, the tests otherwise.
func TestMain(m *orchestrateTesting.M) {
	if orchestrateOS.Getenv("` + serveEnv + `") == "1" {
		main()
		orchestrateOS.Exit(0)
	}
	orchestrateOS.Exit(m.Run())
}
`

// buildFlags leave out what only a debugger reads: DWARF from the
// mutated package's compile, the symbol table and DWARF from the link.
var buildFlags = []string{"-gcflags=-dwarf=false", "-ldflags=-s -w"}

// canServe reports whether the mutants' test binaries can be the service:
// the package is main and has a func main and unit tests; no file of it
// says TestMain (it may have its own) and no test file has an init
// function (it would run in the service too).
func (b *bench) canServe() bool {
	if !b.unit {
		return false
	}
	if _, err := os.Stat(filepath.Join(b.svc, serveFile)); err == nil {
		return false
	}
	files, _ := filepath.Glob(filepath.Join(b.svc, "*.go"))
	hasMain := false
	for _, f := range files {
		name := filepath.Base(f)
		if b.own[name] {
			continue // hidden by the overlay
		}
		src, err := os.ReadFile(f)
		if err != nil || bytes.Contains(src, []byte("TestMain")) {
			return false
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.SkipObjectResolution)
		test := strings.HasSuffix(name, "_test.go")
		if err != nil || !test && af.Name.Name != "main" {
			return false
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			switch {
			case !ok || fd.Recv != nil:
			case test && fd.Name.Name == "init":
				return false
			case !test && fd.Name.Name == "main":
				hasMain = true
			}
		}
	}
	return hasMain
}

// viaTestBinary runs a mutant the unit tests cover with its test binary
// as the service.
func (b *bench) viaTestBinary(ctx context.Context, m *Mutant, dir, ov string, byE2E bool) {
	bin := filepath.Join(dir, "mutant.test")
	r, err := b.quiet.Run(ctx, b.svc, append(append([]string{"test", "-c", "-overlay", ov, "-vet=off"}, buildFlags...), "-o", bin, ".")...)
	switch {
	case err != nil:
		m.Status, m.Detail = TimedOut, err.Error()
		return
	case !r.OK():
		m.Status, m.Detail = DidNotCompile, gotool.FirstError(gotool.Relative(r.Output, b.svc))
		return
	}
	if b.unitExec(ctx, m, bin); m.Status == Survived && byE2E {
		b.e2eAgainst(ctx, m, bin, []string{serveEnv + "=1"})
	}
}

// framedFail is a test's failure as the framework prints it with
// -test.v=test2json: framed by ^V, so a test's own output cannot pass for it.
var framedFail = regexp.MustCompile("\x16--- FAIL: (\\S+) \\(")

// unitExec runs the unit tests in the mutant's test binary as go test
// -json would: in the package directory, with the go command's
// environment and go test's flags, the framework's lines framed.
func (b *bench) unitExec(ctx context.Context, m *Mutant, bin string) {
	limit := b.unitLimit()
	kill, cancel := context.WithTimeout(ctx, limit+time.Minute) // go test's own backstop
	defer cancel()
	cmd := exec.CommandContext(kill, bin, "-test.paniconexit0", "-test.timeout="+limit.String(), "-test.count=1", "-test.v=test2json")
	cmd.Dir, cmd.Env, cmd.WaitDelay = b.svc, b.quiet.Env(), 5*time.Second
	out, runErr := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		m.Status, m.Detail = TimedOut, ctx.Err().Error()
		return
	case bytes.Contains(out, []byte("panic: test timed out")) || kill.Err() != nil:
		m.Status, m.Detail = TimedOut, "the unit tests did not finish in "+limit.String()
		return
	}
	var failed []string
	for _, f := range framedFail.FindAllSubmatch(out, -1) {
		if !strings.Contains(string(f[1]), "/") {
			failed = append(failed, string(f[1]))
		}
	}
	b.unitVerdict(m, failed, runErr == nil)
}
