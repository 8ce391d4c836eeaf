package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSuiteSelection(t *testing.T) {
	def, err := NewSuite(nil)
	if err != nil {
		t.Fatal(err)
	}
	names := def.Names()
	for _, want := range []string{"printf", "assign", "SA5009", "S1003", "ST1005", "U1000", "any"} {
		if !slices.Contains(names, want) {
			t.Errorf("the defaults lack %s", want)
		}
	}
	for _, off := range []string{"ST1000", "ST1003"} {
		if slices.Contains(names, off) {
			t.Errorf("the defaults include %s, which staticcheck leaves off", off)
		}
	}
	vet, err := NewSuite([]string{"vet", "-printf", "SA4*"})
	if err != nil {
		t.Fatal(err)
	}
	got := vet.Names()
	if slices.Contains(got, "printf") || !slices.Contains(got, "assign") || !slices.Contains(got, "SA4006") || slices.Contains(got, "SA5009") {
		t.Errorf("vet -printf SA4*: %v", got)
	}
	if _, err := NewSuite([]string{"vet", "nosuchcheck"}); err == nil || !strings.Contains(err.Error(), `"nosuchcheck" names no analyzer`) {
		t.Errorf("unknown check: %v", err)
	}
}

// A fake golangci-lint on PATH prints the JSON report golangci-lint v2
// writes with --output.json.path=stdout; its findings join the rest.
func TestGolangciFindingsJoin(t *testing.T) {
	bin := t.TempDir()
	script := `#!/bin/sh
if [ "$1" = version ]; then echo 2.5.0; exit 0; fi
cat <<'JSON'
{"Issues":[{"FromLinter":"errcheck","Text":"Error return value of ` + "`f.Close`" + ` is not checked","Severity":"","SourceLines":["\tf.Close()"],"Pos":{"Filename":"PWD/main.go","Offset":120,"Line":9,"Column":9},"ExpectNoLint":false,"ExpectedNoLintLinter":""}],"Report":{"Linters":[{"Name":"errcheck","Enabled":true}]}}
JSON
exit 1
`
	if err := os.WriteFile(filepath.Join(bin, "golangci-lint"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	h := newBare(t)
	dir := filepath.Join(h.Workdir, "svc")
	writeFile(t, filepath.Join(dir, ".golangci.yml"), "version: \"2\"\n")
	r := &runner{env: h.Env, in: Input{Workdir: h.Workdir, Golangci: "auto"}}
	fs := r.golangci(t.Context(), dir)
	if len(fs) != 1 || fs[0].Analyzer != "golangci:errcheck" || fs[0].Line != 9 || fs[0].Source != "golangci-lint" {
		t.Fatalf("findings: %+v", fs)
	}
	r.in.Golangci = "off"
	if fs := r.golangci(t.Context(), dir); fs != nil {
		t.Errorf("golangci: off still ran: %v", fs)
	}
	if _, err := parseGolangci([]byte("level=error msg=boom"), dir, h.Workdir); err == nil {
		t.Error("text output parsed as JSON")
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
