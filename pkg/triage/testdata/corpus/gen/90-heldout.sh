# Shapes written after the classifier's fixes, to measure it on logs it
# was not tuned to: orchestrate's own acceptance-test template against a
# running service, Example tests, several packages in one run, fatal
# errors, a panic in init, vet on test files, a parallel subtest that
# times out, a port taken inside a test. Sourced by gen.sh.

# A small items service, run on this machine, and orchestrate's
# acceptance-test template (templates/tests/e2e) filled in by hand with
# examples the service gets wrong.
newmod items
src items main.go <<'EOF'
package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
)

func main() {
	http.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":1,"name":"a"}`)) // 200 where the spec says 201
			return
		}
		json.NewEncoder(w).Encode([]map[string]any{{"id": 1}})
	})
	http.HandleFunc("/items/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/raw") {
			w.Write([]byte("hello"))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": 1, "title": "a"})
	})
	http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
}
EOF
(cd "$WORK/items" && go build -o items .)
e2e() { # e2e DIR EXAMPLES: the template with these examples, in module DIR
	newmod "$1"
	sed -e '/^{{- range .Examples}}/,/^{{- end}}/d' -e 's/{{.Port}}/18480/g' -e 's/{{.Name}}/items/g' \
		"$CORPUS/../../../../templates/tests/e2e/acceptance_test.go.tmpl" |
		awk -v ex="$2" '{print} /^var examples = \[\]example\{$/ {print ex}' >"$WORK/$1/acceptance_test.go"
}
e2e e2estatus '	{name: "create", method: "POST", path: "/items", body: `{"name":"a"}`, status: 201, want: `{"name":"a"}`},'
e2e e2esubset '	{name: "get", method: "GET", path: "/items/1", status: 200, want: `{"id":1,"name":"a"}`},'
e2e e2ejson '	{name: "raw", method: "GET", path: "/items/1/raw", status: 200, want: `{"name":"a"}`},'
al() { lineof "$1" acceptance_test.go "$2"; }
(PORT=18480 exec "$WORK/items/items") &
items_pid=$!
sleep 1
# The service runs while the cases below it are captured.
BASE_URL=http://127.0.0.1:18480 capture e2e-status.go-test-json log.jsonl e2estatus go test -count=1 -json ./...
want e2e-status.go-test-json go-test-json assertion_failure TestExamples/create acceptance_test.go "$(al e2estatus 'status %d, want %d')"
BASE_URL=http://127.0.0.1:18480 capture e2e-subset.go-test-v log.txt e2esubset go test -count=1 -v ./...
want e2e-subset.go-test-v go-test-v assertion_failure TestExamples/get acceptance_test.go "$(al e2esubset 'want (subset)')"
BASE_URL=http://127.0.0.1:18480 capture e2e-subset.go-test log.txt e2esubset go test -count=1 ./...
want e2e-subset.go-test go-test assertion_failure TestExamples/get acceptance_test.go "$(al e2esubset 'want (subset)')"
BASE_URL=http://127.0.0.1:18480 capture e2e-not-json.go-test log.txt e2ejson go test -count=1 ./...
want e2e-not-json.go-test go-test assertion_failure TestExamples/raw acceptance_test.go "$(al e2ejson 'the answer is not JSON')"
kill "$items_pid"
wait "$items_pid" 2>/dev/null
BASE_URL=http://127.0.0.1:18480 capture e2e-service-down.go-test-json log.jsonl e2estatus go test -count=1 -json ./...
want e2e-service-down.go-test-json go-test-json service_unreachable TestExamples/create acceptance_test.go "$(al e2estatus 't.Fatalf("%s %s: %v", ex.method, ex.path, err)')"

# An Example whose output differs.
newmod example
src example greet.go <<'EOF'
package example

// Greet greets.
func Greet(name string) string { return "hello " + name }
EOF
src example greet_test.go <<'EOF'
package example

import "fmt"

func ExampleGreet() {
	fmt.Println(Greet("ann"))
	// Output: Hello, ann
}
EOF
capture example-output.go-test log.txt example go test -count=1 ./...
want example-output.go-test go-test assertion_failure ExampleGreet
capture example-output.go-test-v log.txt example go test -count=1 -v ./...
want example-output.go-test-v go-test-v assertion_failure ExampleGreet

# Three packages: one passes, one has no tests, one fails.
newmod multi
mkdir -p "$WORK/multi/a" "$WORK/multi/b" "$WORK/multi/c"
printf 'package a\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n' >"$WORK/multi/a/a_test.go"
printf 'package b\n\n// B is b.\nfunc B() int { return 2 }\n' >"$WORK/multi/b/b.go"
src multi c/c_test.go <<'EOF'
package c

import "testing"

func TestLimit(t *testing.T) {
	limit := 10
	if limit != 100 {
		t.Errorf("limit %d != %d", limit, 100) // FAULT
	}
}
EOF
capture multi-package.go-test log.txt multi go test -count=1 ./...
want multi-package.go-test go-test assertion_failure TestLimit c_test.go "$(lineof multi c/c_test.go)"
src multi b/b.go <<'EOF'
package b

// B is b.
func B() int {
	x := 2 // FAULT
	return 2
}
EOF
capture multi-package-build.go-test-json log.jsonl multi go test -count=1 -json ./...
want multi-package-build.go-test-json go-test-json compile_error "" b.go "$(lineof multi b/b.go)"

# Fatal errors and a panic in init.
newmod fatal
src fatal fatal_test.go <<'EOF'
package fatal

import (
	"sync"
	"testing"
)

type store struct{ mu sync.Mutex }

func (s *store) put() {
	s.mu.Unlock() // FAULT
}

func TestPut(t *testing.T) {
	var s store
	s.put()
}
EOF
gotest fatal-unlock fatal TestPut fatal_test.go "$(lineof fatal fatal_test.go)" panic
newmod initpanic
src initpanic config_test.go <<'EOF'
package initpanic

import (
	"os"
	"testing"
)

var limit = mustEnv("RATE_LIMIT")

func mustEnv(k string) string {
	v := os.Getenv(k)
	if v == "" {
		panic("config: " + k + " is not set") // FAULT
	}
	return v
}

func TestLimit(t *testing.T) { _ = limit }
EOF
capture init-panic.go-test log.txt initpanic go test -count=1 ./...
want init-panic.go-test go-test panic "" config_test.go "$(lineof initpanic config_test.go)"
capture init-panic.go-test-json log.jsonl initpanic go test -count=1 -json ./...
want init-panic.go-test-json go-test-json panic "" config_test.go "$(lineof initpanic config_test.go)"

# Vet on a test file, and its check of test names.
newmod vettests
src vettests svc.go <<'EOF'
package vettests

// Double doubles.
func Double(n int) int { return 2 * n }
EOF
src vettests svc_test.go <<'EOF'
package vettests

import "testing"

func TestDouble(t *testing.T) {
	if got := Double(2); got != 4 {
		t.Errorf("Double(2) = %s, want 4", got) // FAULT
	}
}
EOF
capture vet-test-file.go-test log.txt vettests go test -count=1 ./...
want vet-test-file.go-test go-test vet_failure "" svc_test.go "$(lineof vettests svc_test.go)"
src vettests svc_test.go <<'EOF'
package vettests

import "testing"

func Testdouble(t *testing.T) { // FAULT
	if Double(2) != 4 {
		t.Error("bad")
	}
}
EOF
capture vet-test-name.go-vet log.txt vettests go vet ./...
want vet-test-name.go-vet go-vet vet_failure "" svc_test.go "$(lineof vettests svc_test.go)"

# More compiler messages, and an import path that is not in std.
newmod compile2
src compile2 store.go <<'EOF'
package compile2

type store struct{ items map[string]int }

func (s *store) count() int {
	return s.size() // FAULT
}

func (s *store) get(k string) (int, bool) {
	if v, ok := s.items[k]; ok {
		return v, true
	}
}
EOF
capture compile-no-method.go-build log.txt compile2 go build ./...
want compile-no-method.go-build go-build compile_error "" store.go "$(lineof compile2 store.go)"
newmod badimport
src badimport main.go <<'EOF'
package main

import (
	"fmt"
	"net/htttp" // FAULT
)

func main() { fmt.Println(htttp.StatusOK) }
EOF
capture import-not-in-std.go-build log.txt badimport go build ./...
want import-not-in-std.go-build go-build import_error "" main.go "$(lineof badimport main.go)"

# A parallel subtest that never ends.
newmod poll
src poll poll_test.go <<'EOF'
package poll

import (
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	for _, c := range []struct {
		name string
		wait time.Duration
	}{{"ready", 10 * time.Millisecond}, {"stuck", time.Hour}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			t.Logf("polling %s", c.name)
			time.Sleep(c.wait)
		})
	}
}
EOF
capture timeout-parallel.go-test-v log.txt poll go test -count=1 -v -timeout 1s ./...
want timeout-parallel.go-test-v go-test-v timeout TestPoll/stuck
capture timeout-parallel.go-test-json log.jsonl poll go test -count=1 -json -timeout 1s ./...
want timeout-parallel.go-test-json go-test-json timeout TestPoll/stuck

# A test that listens on a port another listener holds.
newmod bindtest
src bindtest server_test.go <<'EOF'
package bindtest

import (
	"net"
	"testing"
)

func TestServe(t *testing.T) {
	a, err := net.Listen("tcp", "127.0.0.1:18481")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := net.Listen("tcp", "127.0.0.1:18481")
	if err != nil {
		t.Fatalf("start the service: %v", err) // FAULT
	}
	b.Close()
}
EOF
capture port-in-test.go-test log.txt bindtest go test -count=1 ./...
want port-in-test.go-test go-test port_conflict TestServe server_test.go "$(lineof bindtest server_test.go)"
