# go vet's analyzers, under go vet (no "# package" header in Go 1.26) and
# under go test (header "# package", or "# [package]" in older releases).
# Sourced by gen.sh.

# vetcase NAME FILE SOURCE-ON-STDIN: a package holding one vet finding,
# marked // FAULT, checked by go vet.
vetcase() {
	newmod "vet$1"
	src "vet$1" "$2"
	capture "vet-$1.go-vet" log.txt "vet$1" go vet ./...
	want "vet-$1.go-vet" go-vet vet_failure "" "$2" "$(lineof "vet$1" "$2")"
}

vetcase printf handlers.go <<'EOF'
package vetprintf

import (
	"fmt"
	"net/http"
)

func itemPath(w http.ResponseWriter, id string) string {
	w.Header().Set("Location", "/items/"+id)
	return fmt.Sprintf("/items/%d", id) // FAULT
}
EOF
vetcase copylocks store.go <<'EOF'
package vetcopylocks

import "sync"

// Store is guarded by its mutex.
type Store struct {
	mu    sync.Mutex
	items map[string]string
}

func (s Store) Get(k string) string { // FAULT
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[k]
}
EOF
vetcase unreachable main.go <<'EOF'
package main

import "fmt"

func status() int {
	return 200
	fmt.Println("never") // FAULT
	return 500
}

func main() { fmt.Println(status()) }
EOF
vetcase structtag item.go <<'EOF'
package vetstructtag

// Item is what the API returns.
type Item struct {
	ID   int    `json:"id"`
	Name string `json:name` // FAULT
}
EOF
vetcase lostcancel client.go <<'EOF'
package vetlostcancel

import (
	"context"
	"net/http"
	"time"
)

func fetch(url string) (*http.Response, error) {
	ctx, _ := context.WithTimeout(context.Background(), time.Second) // FAULT
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}
EOF
vetcase assign count.go <<'EOF'
package vetassign

func count(xs []int) int {
	n := 0
	for range xs {
		n++
	}
	n = n // FAULT
	return n
}
EOF

# Under go test, vet's printf check fails the build: "# package" header.
newmod vettest
src vettest handlers.go <<'EOF'
package vettest

import (
	"fmt"
	"log"
)

func logItem(id string, n int) {
	log.Printf("item %s has %d parts", n, id) // FAULT
	fmt.Println(id)
}
EOF
src vettest handlers_test.go <<'EOF'
package vettest

import "testing"

func TestLog(t *testing.T) { logItem("a", 1) }
EOF
l=$(lineof vettest handlers.go)
capture vet-printf.go-test log.txt vettest go test -count=1 ./...
want vet-printf.go-test go-test vet_failure "" handlers.go "$l"
capture vet-printf.go-test-json log.jsonl vettest go test -count=1 -json ./...
want vet-printf.go-test-json go-test-json vet_failure "" handlers.go "$l"

# A package with no test files: go test vets it, prints "# package" and
# no "# [package]".
newmod vetnotest
src vetnotest handlers.go <<'EOF'
package vetnotest

import "fmt"

func label(id string, n int) string {
	return fmt.Sprintf("%s-%d", n, id) // FAULT
}
EOF
capture vet-no-tests.go-test log.txt vetnotest go test -count=1 ./...
want vet-no-tests.go-test go-test vet_failure "" handlers.go "$(lineof vetnotest handlers.go)"
