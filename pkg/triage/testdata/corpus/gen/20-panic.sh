# Panics: in a test, in a subtest, in a handler called through
# httptest.NewRecorder and in one served by httptest.NewServer (net/http
# recovers it, logs "http: panic serving" and the client reads EOF).
# Sourced by gen.sh.

# Assignment to a nil map, in code a test calls.
newmod nilmap
src nilmap counter.go <<'EOF'
package nilmap

// Counter counts keys; its zero value is not ready.
type Counter struct{ m map[string]int }

// Add counts k.
func (c *Counter) Add(k string) {
	c.m[k]++ // FAULT
}
EOF
src nilmap counter_test.go <<'EOF'
package nilmap

import "testing"

func TestCounter(t *testing.T) {
	var c Counter
	c.Add("a")
	if c.m["a"] != 1 {
		t.Fatal("not counted")
	}
}
EOF
gotest panic-nil-map nilmap TestCounter counter.go "$(lineof nilmap counter.go)" panic

# Index out of range in one subtest of a table test.
newmod index
src index first.go <<'EOF'
package index

// First is the first word.
func First(words []string) string {
	return words[0] // FAULT
}
EOF
src index first_test.go <<'EOF'
package index

import "testing"

func TestFirst(t *testing.T) {
	for _, c := range []struct {
		name  string
		words []string
		want  string
	}{
		{"one", []string{"a"}, "a"},
		{"empty", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := First(c.words); got != c.want {
				t.Errorf("First = %q, want %q", got, c.want)
			}
		})
	}
}
EOF
gotest panic-index index TestFirst/empty first.go "$(lineof index first.go)" panic

# A nil pointer dereference in a handler called directly with a recorder.
newmod nilptr
src nilptr handlers.go <<'EOF'
package nilptr

import (
	"fmt"
	"net/http"
	"strings"
)

type user struct{ Name string }

// Server serves users.
type Server struct{ users map[string]*user }

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u := s.users[strings.TrimPrefix(r.URL.Path, "/users/")]
	fmt.Fprintf(w, `{"name":%q}`, u.Name) // FAULT
}

// Handler routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/users/", s.getUser)
	return mux
}
EOF
src nilptr recorder_test.go <<'EOF'
package nilptr

import (
	"net/http/httptest"
	"testing"
)

func TestGetUser(t *testing.T) {
	s := &Server{users: map[string]*user{"1": {Name: "ann"}}}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/users/2", nil))
	if rec.Code != 404 {
		t.Errorf("status = %d, want 404", rec.Code)
	}
}
EOF
src nilptr server_test.go <<'EOF'
package nilptr

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGetUserHTTP(t *testing.T) {
	s := &Server{users: map[string]*user{"1": {Name: "ann"}}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/users/2")
	if err != nil {
		t.Fatalf("GET /users/2: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 {
		t.Errorf("status = %d, want 404: %s", resp.StatusCode, b)
	}
}
EOF
gotest panic-nil-pointer nilptr TestGetUser handlers.go "$(lineof nilptr handlers.go)" panic -run 'TestGetUser$'
gotest panic-in-server nilptr TestGetUserHTTP handlers.go "$(lineof nilptr handlers.go)" panic -run 'TestGetUserHTTP$'
