package triage

import (
	"fmt"
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

// corpusLog is the log of one corpus case.
func corpusLog(t *testing.T, name string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join("testdata/corpus", name, "log.*"))
	if len(logs) != 1 {
		t.Fatalf("corpus case %s: %d logs", name, len(logs))
	}
	b, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantFirst checks the first failure's class, test and file:line.
func wantFirst(t *testing.T, fs []Failure, class failure.Class, test, where string) {
	t.Helper()
	if len(fs) == 0 {
		t.Fatalf("no failure, want %s %s %s", class, test, where)
	}
	f := fs[0]
	got := fmt.Sprintf("%s:%d", filepath.Base(f.File), f.Line)
	if f.File == "" {
		got = ""
	}
	if f.Class != class || f.Test != test || got != where {
		t.Errorf("got %s %q %q, want %s %q %q (%s)", f.Class, f.Test, got, class, test, where, f.Message)
	}
}

// go test -v prints a subtest's output under its "=== RUN" line, before
// the "--- FAIL" lines, and parallel subtests' output interleaves under
// "=== CONT" and "=== NAME": the output still goes to its subtest, in a
// log of 500 KB too.
func TestVerboseSubtestOutput(t *testing.T) {
	for name, want := range map[string][2]string{
		"subtest-status.go-test-v":     {"TestStatus/create", "handlers_test.go:32"},
		"parallel-subtests.go-test-v":  {"TestParallel/slow", "parallel_test.go:30"},
		"large-subtest-500k.go-test-v": {"TestStatus/create", "status_test.go:24"},
		"e2e-subset.go-test-v":         {"TestExamples/get", "acceptance_test.go:77"},
	} {
		t.Run(name, func(t *testing.T) {
			wantFirst(t, Classify(corpusLog(t, name)), failure.AssertionFailure, want[0], want[1])
		})
	}
	log := "=== RUN   TestP\n=== RUN   TestP/a\n=== PAUSE TestP/a\n=== RUN   TestP/b\n=== PAUSE TestP/b\n" +
		"=== CONT  TestP/a\n    p_test.go:9: start a\n=== CONT  TestP/b\n    p_test.go:9: start b\n" +
		"=== NAME  TestP/a\n    p_test.go:12: status = 200, want 201\n=== NAME  TestP/b\n    p_test.go:14: done b\n" +
		"--- FAIL: TestP (0.00s)\n    --- FAIL: TestP/a (0.02s)\n    --- PASS: TestP/b (0.03s)\nFAIL\nFAIL\texample.com/p\t0.031s\nFAIL\n"
	wantFirst(t, Classify(log), failure.AssertionFailure, "TestP/a", "p_test.go:12")
}

// The compiler's file:line:col: format wins over a keyword in its message:
// "unexpected EOF" there is the end of a file, not of a connection.
func TestCompilerFormatWins(t *testing.T) {
	for log, where := range map[string]string{
		"# example.com/syntax\n./handlers.go:12:1: syntax error: unexpected EOF, expected }\n":                                                "handlers.go:12",
		"./x.go:12:1: syntax error: unexpected EOF\n":                                                                                         "x.go:12",
		"# example.com/syntax\n./handlers.go:12:1: syntax error: unexpected EOF, expected }\nFAIL\texample.com/syntax [build failed]\nFAIL\n": "handlers.go:12",
		"# example.com/syntax\nvet: ./handlers.go:11:39: expected '}', found 'EOF'\n":                                                         "handlers.go:11",
		"--- FAIL: TestItems (0.00s)\n    items_test.go:14: expected 3 items, got 2\nFAIL\n":                                                  "",
	} {
		fs := Classify(log)
		if where == "" {
			wantFirst(t, fs, failure.AssertionFailure, "TestItems", "items_test.go:14")
			continue
		}
		wantFirst(t, fs, failure.CompileError, "", where)
	}
	for _, name := range []string{"syntax-eof.go-build", "syntax-eof.go-test", "syntax-eof.go-test-json"} {
		wantFirst(t, Classify(corpusLog(t, name)), failure.CompileError, "", "handlers.go:12")
	}
	// A connection's EOF in a test's output is still one.
	log := "--- FAIL: TestItemsEOF (0.00s)\n    e2e_test.go:68: GET /items: Get \"http://127.0.0.1:38537/items\": EOF\nFAIL\n"
	wantFirst(t, Classify(log), failure.ServiceUnreachable, "TestItemsEOF", "e2e_test.go:68")
}

// go vet's findings are vet failures by their message, whether go vet
// (no header), go test ("# package", or "# [package]" in older releases)
// or a "vet: " prefix printed them. What vet says of code that does not
// type-check is the compiler's business.
func TestVetWithoutHeader(t *testing.T) {
	vet := []string{
		"handlers.go:10:29: fmt.Sprintf format %d has arg id of wrong type string",
		"./handlers.go:40:2: fmt.Sprintf format %d has arg x of wrong type string",
		"store.go:11:9: Get passes lock by value: example.com/vetcopylocks.Store contains sync.Mutex",
		"main.go:7:2: unreachable code",
		"item.go:6:2: struct field tag `json:name` not compatible with reflect.StructTag.Get: bad syntax for struct tag value",
		"client.go:10:7: the cancel function returned by context.WithTimeout should be called, not discarded, to avoid a context leak",
		"count.go:8:2: self-assignment of n",
		"svc_test.go:5:6: Testdouble has malformed name: first letter after 'Test' must not be lowercase",
		"# example.com/vetnotest\n./handlers.go:6:22: fmt.Sprintf format %s has arg n of wrong type int\nFAIL\texample.com/vetnotest [build failed]\nFAIL",
		"# example.com/v\n# [example.com/v]\n./a.go:15:27: fmt.Sprintf format %d has arg name of wrong type string",
		"vet: ./handlers.go:40:2: fmt.Sprintf format %d has arg x of wrong type string",
		"# example.com/v\n# [example.com/v]\nvet: ./a.go:31:2: something vet found",
	}
	for _, log := range vet {
		fs := Classify(log + "\n")
		if len(fs) == 0 || fs[0].Class != failure.VetFailure || fs[0].Line == 0 {
			t.Errorf("%q: %+v, want vet_failure at its line", log, fs)
		}
	}
	for log, want := range map[string]failure.Class{
		"# example.com/compile\n# [example.com/compile]\nvet: ./main.go:9:9: undefined: loadConfig\n":    failure.CompileError,
		"# example.com/compile\n./main.go:9:9: undefined: loadConfig\n":                                  failure.CompileError,
		"# example.com/c\n./store.go:6:11: s.size undefined (type *store has no field or method size)\n": failure.CompileError,
		"vet: ./slug.go:5:9: undefined: strings\n":                                                       failure.ImportError,
	} {
		if fs := Classify(log); len(fs) == 0 || fs[0].Class != want {
			t.Errorf("%q: %+v, want %s", log, fs, want)
		}
	}
}

// A line a failing test printed that compares (want, got, expected,
// mismatch, !=), in any of its shapes, is an assertion failure where the
// test printed it; a message printed over several lines too.
func TestAssertionShapes(t *testing.T) {
	for _, line := range []string{
		`handlers_test.go:88: score 0.5 level "low", want 0.75 "high"`,
		`handlers_test.go:88: expected 3 items, got 2`,
		`handlers_test.go:88: got "hello ann" expected "Hello, ann"`,
		`handlers_test.go:88: Content-Type mismatch: "" vs "application/json"`,
		`handlers_test.go:88: limit 10 != 100`,
		`handlers_test.go:88: status = 200, want 202`,
		`handlers_test.go:88: GET /items/1/raw: the answer is not JSON (invalid character 'h' looking for beginning of value): hello`,
		"handlers_test.go:88: GET /items/1: $.name: missing\n        want (subset): {\"id\":1,\"name\":\"a\"}\n        got:           {\"id\":1,\"title\":\"a\"}",
	} {
		for _, log := range []string{
			"--- FAIL: TestX (0.00s)\n    " + line + "\nFAIL\nFAIL\texample.com/x\t0.002s\nFAIL\n",
			"=== RUN   TestX\n    " + line + "\n--- FAIL: TestX (0.00s)\nFAIL\nFAIL\texample.com/x\t0.002s\nFAIL\n",
		} {
			wantFirst(t, Classify(log), failure.AssertionFailure, "TestX", "handlers_test.go:88")
		}
	}
	example := "--- FAIL: ExampleGreet (0.00s)\ngot:\nhello ann\nwant:\nHello, ann\nFAIL\nFAIL\texample.com/example\t0.001s\nFAIL\n"
	wantFirst(t, Classify(example), failure.AssertionFailure, "ExampleGreet", "")
	// An Example's output ends at the next test's result.
	two := "--- FAIL: ExampleA (0.00s)\ngot:\na\nwant:\nA\n--- FAIL: ExampleB (0.00s)\n" +
		"panic: boom [recovered]\n\ngoroutine 1 [running]:\nexample.com/x.ExampleB()\n\t/x/b_test.go:9 +0x1\nFAIL\texample.com/x\t0.001s\n"
	fs := Classify(two)
	if len(fs) != 2 || fs[0].Test != "ExampleA" || fs[1].Test != "ExampleB" || fs[1].Class != failure.Panic {
		t.Errorf("%+v", fs)
	}
}

// A timeout names the test it cut short, from the list its panic prints,
// with or without -v, plain or -json, and a test binary's fatal error the
// test in its stack.
func TestTimeoutNamesTheTest(t *testing.T) {
	for name, test := range map[string]string{
		"timeout-sleep.go-test":         "TestSlow",
		"timeout-sleep.go-test-v":       "TestSlow",
		"timeout-sleep.go-test-json":    "TestSlow",
		"timeout-parallel.go-test-v":    "TestPoll/stuck",
		"timeout-parallel.go-test-json": "TestPoll/stuck",
	} {
		fs := Classify(corpusLog(t, name))
		if len(fs) != 1 || fs[0].Class != failure.Timeout || fs[0].Test != test {
			t.Errorf("%s: %+v, want one timeout of %s", name, fs, test)
		}
	}
	for _, name := range []string{"fatal-unlock.go-test", "fatal-unlock.go-test-v", "fatal-unlock.go-test-json"} {
		wantFirst(t, Classify(corpusLog(t, name)), failure.Panic, "TestPut", "fatal_test.go:11")
	}
}
