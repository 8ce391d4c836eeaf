# Assertion failures: t.Errorf/t.Fatalf lines in the shapes tests print.
# Sourced by gen.sh.

# A plain top-level test: add(2, 2) = 0, want 4.
newmod add
src add add.go <<'EOF'
package add

// Add should add.
func Add(a, b int) int { return a - b }
EOF
src add add_test.go <<'EOF'
package add

import "testing"

func TestZero(t *testing.T) {
	if got := Add(0, 0); got != 0 {
		t.Errorf("Add(0, 0) = %d, want 0", got)
	}
}

func TestAdd(t *testing.T) {
	if got := Add(2, 2); got != 4 {
		t.Errorf("Add(2, 2) = %d, want 4", got) // FAULT
	}
}
EOF
gotest assert-add add TestAdd add_test.go "$(lineof add add_test.go)" assertion_failure

# A table test of HTTP handlers through httptest: one subtest's status is
# wrong (status = 200, want 202).
newmod subtest
src subtest handlers.go <<'EOF'
package subtest

import (
	"encoding/json"
	"net/http"
)

type item struct {
	Name string `json:"name"`
}

func list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode([]item{{Name: "a"}})
}

// create answers 200 where the spec says 202.
func create(w http.ResponseWriter, r *http.Request) {
	var it item
	if err := json.NewDecoder(r.Body).Decode(&it); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(it)
}

func remove(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
EOF
src subtest handlers_test.go <<'EOF'
package subtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	rec := httptest.NewRecorder()
	list(rec, httptest.NewRequest("GET", "/items", nil))
	t.Logf("GET /items: %d %s", rec.Code, strings.TrimSpace(rec.Body.String()))
}

func TestStatus(t *testing.T) {
	cases := []struct {
		name, method, body string
		h                  http.HandlerFunc
		want               int
	}{
		{"list", "GET", "", list, http.StatusOK},
		{"create", "POST", `{"name":"b"}`, create, http.StatusAccepted},
		{"delete", "DELETE", "", remove, http.StatusNoContent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.h(rec, httptest.NewRequest(c.method, "/items", strings.NewReader(c.body)))
			t.Logf("%s /items -> %d", c.method, rec.Code)
			if rec.Code != c.want {
				t.Errorf("status = %d, want %d", rec.Code, c.want) // FAULT
			}
		})
	}
}
EOF
gotest subtest-status subtest TestStatus/create handlers_test.go "$(lineof subtest handlers_test.go)" assertion_failure

# Parallel subtests whose output interleaves (=== PAUSE / CONT / NAME):
# the slow one fails after the others have printed.
newmod parallel
src parallel parallel_test.go <<'EOF'
package parallel

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func handler(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }

func TestParallel(t *testing.T) {
	for _, c := range []struct {
		name  string
		delay time.Duration
		want  int
	}{
		{"fast", 0, http.StatusOK},
		{"slow", 60 * time.Millisecond, http.StatusCreated},
		{"medium", 20 * time.Millisecond, http.StatusOK},
		{"late", 90 * time.Millisecond, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			t.Logf("start %s", c.name)
			time.Sleep(c.delay)
			rec := httptest.NewRecorder()
			handler(rec, httptest.NewRequest("POST", "/jobs", nil))
			if rec.Code != c.want {
				t.Errorf("POST /jobs: status = %d, want %d", rec.Code, c.want) // FAULT
			}
			time.Sleep(c.delay / 2)
			t.Logf("done %s", c.name)
		})
	}
}
EOF
gotest parallel-subtests parallel TestParallel/slow parallel_test.go "$(lineof parallel parallel_test.go)" assertion_failure

# A two-value comparison with no "got" and no "=": score 0.5 level "low",
# want 0.75 "high".
newmod score
src score score.go <<'EOF'
package score

// Rate rates a risk: its score and level.
func Rate(failures int) (float64, string) {
	if failures > 3 {
		return 0.5, "low"
	}
	return 0.1, "none"
}
EOF
src score score_test.go <<'EOF'
package score

import "testing"

func TestRate(t *testing.T) {
	for _, c := range []struct {
		name     string
		failures int
		score    float64
		level    string
	}{
		{"calm", 0, 0.1, "none"},
		{"storm", 9, 0.75, "high"},
	} {
		t.Run(c.name, func(t *testing.T) {
			score, level := Rate(c.failures)
			if score != c.score || level != c.level {
				t.Errorf("score %v level %q, want %v %q", score, level, c.score, c.level) // FAULT
			}
		})
	}
}
EOF
gotest want-two-values score TestRate/storm score_test.go "$(lineof score score_test.go)" assertion_failure

# "expected X, got Y", "got X expected Y" and a mismatch line.
newmod expect
src expect expect_test.go <<'EOF'
package expect

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func items() []string { return []string{"a", "b"} }

func TestItems(t *testing.T) {
	if n := len(items()); n != 3 {
		t.Fatalf("expected 3 items, got %d", n) // FAULT
	}
}

func TestContentType(t *testing.T) {
	rec := httptest.NewRecorder()
	h := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }
	http.HandlerFunc(h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type mismatch: %q vs %q", ct, "application/json") // mismatch
	}
}
EOF
src expect got_test.go <<'EOF'
package expect

import "testing"

func greet(name string) string { return "hello " + name }

func TestGreet(t *testing.T) {
	got, exp := greet("ann"), "Hello, ann"
	if got != exp {
		t.Fatalf("got %q expected %q", got, exp) // FAULT
	}
}
EOF
capture assert-expected-got.go-test log.txt expect go test -count=1 -run 'TestItems$' ./...
want assert-expected-got.go-test go-test assertion_failure TestItems expect_test.go "$(lineof expect expect_test.go)"
capture assert-got-expected.go-test-json log.jsonl expect go test -count=1 -json -run 'TestGreet$' ./...
want assert-got-expected.go-test-json go-test-json assertion_failure TestGreet got_test.go "$(lineof expect got_test.go)"
ct_line=$(lineof expect expect_test.go '// mismatch')
capture assert-mismatch.go-test-v log.txt expect go test -count=1 -v -run 'TestContentType$' ./...
want assert-mismatch.go-test-v go-test-v assertion_failure TestContentType expect_test.go "$ct_line"
