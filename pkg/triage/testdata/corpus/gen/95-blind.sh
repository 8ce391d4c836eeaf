# A second set written after the held-out one was used for fixes, to
# measure again: subtests named like routes (with "/"), a panic in a
# goroutine a test started, os.Exit in a test, a slow endpoint against the
# acceptance template's 10 s client timeout, a logfmt service log, go vet
# over several packages, parallel top-level tests. Sourced by gen.sh.

newmod routes
src routes api_test.go <<'EOF'
package routes

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func api(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func TestAPI(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/items", 200},
		{"POST", "/items", 201},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			api(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.want {
				t.Errorf("status %d, want %d", rec.Code, c.want) // FAULT
			}
		})
	}
}
EOF
capture route-subtests.go-test-v log.txt routes go test -count=1 -v ./...
want route-subtests.go-test-v go-test-v assertion_failure "TestAPI/POST_/items" api_test.go "$(lineof routes api_test.go)"
capture route-subtests.go-test-json log.jsonl routes go test -count=1 -json ./...
want route-subtests.go-test-json go-test-json assertion_failure "TestAPI/POST_/items" api_test.go "$(lineof routes api_test.go)"

newmod worker
src worker worker.go <<'EOF'
package worker

// Process handles jobs in the background.
func Process(jobs []string, done chan<- int) {
	go func() {
		n := 0
		for i := 0; i <= len(jobs); i++ {
			n += len(jobs[i]) // FAULT
		}
		done <- n
	}()
}
EOF
src worker worker_test.go <<'EOF'
package worker

import "testing"

func TestWorker(t *testing.T) {
	done := make(chan int)
	Process([]string{"a", "bb"}, done)
	if n := <-done; n != 3 {
		t.Errorf("n = %d, want 3", n)
	}
}
EOF
# Without -v nothing in the log names the test: the goroutine was
# started by Process, not by the test function.
capture goroutine-panic.go-test log.txt worker go test -count=1 ./...
want goroutine-panic.go-test go-test panic "" worker.go "$(lineof worker worker.go)"
capture goroutine-panic.go-test-v log.txt worker go test -count=1 -v ./...
want goroutine-panic.go-test-v go-test-v panic TestWorker worker.go "$(lineof worker worker.go)"

newmod exit
src exit exit_test.go <<'EOF'
package exit

import (
	"os"
	"testing"
)

func TestShutdown(t *testing.T) {
	t.Log("stopping")
	os.Exit(1) // FAULT
}
EOF
capture os-exit.go-test-json log.jsonl exit go test -count=1 -json ./...
want os-exit.go-test-json go-test-json unknown TestShutdown
capture os-exit.go-test-v log.txt exit go test -count=1 -v ./...
want os-exit.go-test-v go-test-v unknown TestShutdown

# The acceptance template against an endpoint slower than its client's
# 10 s timeout.
newmod slowsvc
src slowsvc main.go <<'EOF'
package main

import (
	"net/http"
	"os"
	"time"
)

func main() {
	http.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(11 * time.Second)
		w.Write([]byte(`{}`))
	})
	http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
}
EOF
(cd "$WORK/slowsvc" && go build -o slowsvc .)
e2e e2eslow '	{name: "report", method: "GET", path: "/report", status: 200},'
if selected e2e-slow; then
	(PORT=18482 exec "$WORK/slowsvc/slowsvc") &
	slow_pid=$!
	sleep 1
	BASE_URL=http://127.0.0.1:18482 capture e2e-slow.go-test-json log.jsonl e2eslow go test -count=1 -json ./...
	want e2e-slow.go-test-json go-test-json timeout TestExamples/report acceptance_test.go "$(al e2eslow 't.Fatalf("%s %s: %v", ex.method, ex.path, err)')"
	kill "$slow_pid"
	wait "$slow_pid" 2>/dev/null
fi

# A service that logs with slog's text handler.
newmod logfmt
src logfmt main.go <<'EOF'
package main

import (
	"log/slog"
	"net"
	"os"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	log.Info("starting", "port", os.Getenv("PORT"))
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		log.Error("listen failed", "err", err)
		os.Exit(1)
	}
	l.Close()
}
EOF
(cd "$WORK/logfmt" && go build -o logfmt .)
session logfmt-port-conflict.container-log logfmt <<'EOF'
(PORT=18483 exec ../items/items) & sleep 1
PORT=18483 ./logfmt
kill $! && wait $! 2>/dev/null; true
EOF
want logfmt-port-conflict.container-log container-log port_conflict

# go vet over three packages, one with a finding.
newmod vetmulti
mkdir -p "$WORK/vetmulti/api" "$WORK/vetmulti/store"
printf 'package api\n\n// Name is a name.\nfunc Name() string { return "api" }\n' >"$WORK/vetmulti/api/api.go"
src vetmulti store/store.go <<'EOF'
package store

import "fmt"

// Key is a key.
func Key(id int) string {
	return fmt.Sprintf("item-%s", id) // FAULT
}
EOF
capture vet-multi-package.go-vet log.txt vetmulti go vet ./...
want vet-multi-package.go-vet go-vet vet_failure "" store.go "$(lineof vetmulti store/store.go)"

# Top-level parallel tests, one failing after the others printed.
newmod toppar
src toppar par_test.go <<'EOF'
package toppar

import (
	"testing"
	"time"
)

func TestOne(t *testing.T) {
	t.Parallel()
	time.Sleep(30 * time.Millisecond)
	t.Log("one done")
}

func TestTwo(t *testing.T) {
	t.Parallel()
	time.Sleep(10 * time.Millisecond)
	if got := "draft"; got != "published" {
		t.Errorf("state %q, want %q", got, "published") // FAULT
	}
}

func TestThree(t *testing.T) {
	t.Parallel()
	t.Log("three done")
}
EOF
capture parallel-top.go-test-json log.jsonl toppar go test -count=1 -json ./...
want parallel-top.go-test-json go-test-json assertion_failure TestTwo par_test.go "$(lineof toppar par_test.go)"
capture parallel-top.go-test-v log.txt toppar go test -count=1 -v ./...
want parallel-top.go-test-v go-test-v assertion_failure TestTwo par_test.go "$(lineof toppar par_test.go)"
