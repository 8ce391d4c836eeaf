package triage

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Every committed real log classifies as the class its name says.
func TestRealLogs(t *testing.T) {
	files, err := filepath.Glob("testdata/logs/*.log")
	if err != nil || len(files) < 10 {
		t.Fatalf("%d logs: %v", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		want := failure.Class(strings.SplitN(name, ".", 2)[0])
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fs := Classify(string(b))
			if len(fs) == 0 {
				t.Fatalf("no failure found (kind %s)", Detect(string(b)))
			}
			if fs[0].Class != want {
				t.Errorf("class %s, want %s: %+v", fs[0].Class, want, fs[0])
			}
			if fs[0].Owner == "" || fs[0].Signature == "" || len(fs[0].Evidence) == 0 {
				t.Errorf("incomplete: %+v", fs[0])
			}
		})
	}
}

func TestDetectKinds(t *testing.T) {
	for file, want := range map[string]Kind{
		"assertion_failure.go-test-json.log":   GoTestJSON,
		"assertion_failure.go-test.log":        GoTest,
		"compile_error.go-build.log":           GoBuild,
		"image_build_failed.docker-build.log":  DockerBuild,
		"port_conflict.container.log":          Container,
		"panic.container.log":                  Container,
		"service_unreachable.go-test-json.log": GoTestJSON,
		"missing_dependency.go-build.log":      GoBuild,
	} {
		b, err := os.ReadFile(filepath.Join("testdata/logs", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(string(b)); got != want {
			t.Errorf("%s: %s, want %s", file, got, want)
		}
	}
}

// The same failure on another run and machine has the same signature.
func TestSignatureIsStable(t *testing.T) {
	a := Classify("--- FAIL: TestGet (0.01s)\n    e2e_test.go:40: GET http://127.0.0.1:41234/healthz: dial tcp 127.0.0.1:41234: connect: connection refused\nFAIL\nFAIL\texample.com/x\t0.012s\n")
	b := Classify("--- FAIL: TestGet (1.31s)\n    e2e_test.go:40: GET http://127.0.0.1:50999/healthz: dial tcp 127.0.0.1:50999: connect: connection refused\nFAIL\nFAIL\texample.com/x\t1.9s\n")
	if len(a) != 1 || len(b) != 1 || a[0].Signature != b[0].Signature || a[0].Class != failure.ServiceUnreachable {
		t.Fatalf("%+v\n%+v", a, b)
	}
	c := Classify("--- FAIL: TestGet (0.01s)\n    e2e_test.go:52: GET /healthz: status 500, want 200\nFAIL\n")
	if c[0].Signature == a[0].Signature {
		t.Error("different failures share a signature")
	}
}

// A log of a megabyte still gives a few kilobytes of evidence.
func TestExcerptIsBounded(t *testing.T) {
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString(`{"time":"2026-11-20T10:00:00Z","level":"INFO","msg":"request","path":"/healthz","status":200}` + "\n")
		if b.Len()%100000 < 100 {
			b.WriteString("    handlers_test.go:88: status 500, want 202\n")
		}
	}
	b.WriteString("panic: assignment to entry in nil map\n")
	ex := Excerpt(b.String(), 40, 2048)
	size := 0
	for _, l := range ex {
		size += len(l) + 1
	}
	if size > 2600 || len(ex) > 60 {
		t.Errorf("excerpt of %d lines, %d bytes", len(ex), size)
	}
}

// Real go test runs on planted faults, so the classifier keeps up with the
// toolchain it runs beside.
func TestLiveGoTest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	cases := map[failure.Class]string{
		failure.AssertionFailure: "package x\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {\n\tif got := 1 + 1; got != 3 {\n\t\tt.Errorf(\"got %d, want 3\", got)\n\t}\n}\n",
		failure.Panic:            "package x\n\nimport \"testing\"\n\nfunc TestP(t *testing.T) {\n\tvar m map[string]int\n\tm[\"a\"]++\n}\n",
		failure.ImportError:      "package x\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestI(t *testing.T) {}\n",
		failure.CompileError:     "package x\n\nimport \"testing\"\n\nfunc TestC(t *testing.T) {\n\tvar s string = 1\n\t_ = s\n}\n",
	}
	for want, src := range cases {
		t.Run(string(want), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/x\n\ngo 1.24\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "x_test.go"), []byte(src), 0o644)
			cmd := exec.Command("go", "test", "-json", "./...")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
			out, _ := cmd.CombinedOutput()
			fs := Classify(string(out))
			if len(fs) == 0 || fs[0].Class != want {
				t.Fatalf("got %+v, want %s\n%s", fs, want, out)
			}
		})
	}
}
