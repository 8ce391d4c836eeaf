# What the compiler and the go command say: type errors, syntax errors,
# imports, missing modules. Sourced by gen.sh.

# A type error in a service: undefined name and a wrong type.
newmod compile
src compile main.go <<'EOF'
package main

import (
	"fmt"
	"net/http"
)

func main() {
	cfg := loadConfig() // FAULT
	var port int = cfg.Port
	fmt.Println("listening on", port)
	http.ListenAndServe(fmt.Sprintf(":%d", port), nil)
}
EOF
src compile main_test.go <<'EOF'
package main

import "testing"

func TestNothing(t *testing.T) {}
EOF
l=$(lineof compile main.go)
capture compile-undefined.go-build log.txt compile go build ./...
want compile-undefined.go-build go-build compile_error "" main.go "$l"
capture compile-undefined.go-test log.txt compile go test -count=1 ./...
want compile-undefined.go-test go-test compile_error "" main.go "$l"
capture compile-undefined.go-test-json log.jsonl compile go test -count=1 -json ./...
want compile-undefined.go-test-json go-test-json compile_error "" main.go "$l"
capture compile-undefined.go-vet log.txt compile go vet ./...
want compile-undefined.go-vet go-vet compile_error "" main.go "$l"

# Assigning a string to an int field in a test file.
newmod cannotuse
src cannotuse item.go <<'EOF'
package cannotuse

// Item is an item.
type Item struct {
	Name  string
	Count int
}
EOF
src cannotuse item_test.go <<'EOF'
package cannotuse

import "testing"

func TestItem(t *testing.T) {
	it := Item{Name: "a", Count: "3"} // FAULT
	if it.Count != 3 {
		t.Fatal(it)
	}
}
EOF
capture compile-cannot-use.go-test-v log.txt cannotuse go test -count=1 -v ./...
want compile-cannot-use.go-test-v go-test-v compile_error "" item_test.go "$(lineof cannotuse item_test.go)"

# A file cut short: syntax error: unexpected EOF. The "EOF" is the
# compiler's, not a connection's.
newmod syntax
src syntax handlers.go <<'EOF'
package syntax

import "net/http"

func health(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
EOF
echo "// FAULT: the file ends inside health" >>"$WORK/syntax/handlers.go"
l=$(($(wc -l <"$WORK/syntax/handlers.go") + 1))
capture syntax-eof.go-build log.txt syntax go build ./...
want syntax-eof.go-build go-build compile_error "" handlers.go "$l"
capture syntax-eof.go-test log.txt syntax go test -count=1 ./...
want syntax-eof.go-test go-test compile_error "" handlers.go "$l"
capture syntax-eof.go-test-json log.jsonl syntax go test -count=1 -json ./...
want syntax-eof.go-test-json go-test-json compile_error "" handlers.go "$l"
capture syntax-eof.go-vet log.txt syntax go vet ./...
want syntax-eof.go-vet go-vet compile_error "" handlers.go

# An import not used, and a package used but not imported.
newmod imports
src imports main.go <<'EOF'
package main

import (
	"fmt"
	"os" // FAULT
)

func main() { fmt.Println("hi") }
EOF
l=$(lineof imports main.go)
capture import-unused.go-build log.txt imports go build ./...
want import-unused.go-build go-build import_error "" main.go "$l"
capture import-unused.go-test-json log.jsonl imports go test -count=1 -json ./...
want import-unused.go-test-json go-test-json import_error "" main.go "$l"
newmod noimport
src noimport slug.go <<'EOF'
package noimport

// Slug lower-cases s and joins its words with dashes.
func Slug(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "-") // FAULT
}
EOF
src noimport slug_test.go <<'EOF'
package noimport

import "testing"

func TestSlug(t *testing.T) {
	if got := Slug("A b"); got != "a-b" {
		t.Errorf("Slug = %q, want a-b", got)
	}
}
EOF
capture import-missing.go-test log.txt noimport go test -count=1 ./...
want import-missing.go-test go-test import_error "" slug.go "$(lineof noimport slug.go)"

# A module nobody required, a go.sum with no entry, go mod tidy offline.
newmod missing
src missing main.go <<'EOF'
package main

import (
	"fmt"

	"github.com/acme/ratelimit" // FAULT
)

func main() { fmt.Println(ratelimit.New(10)) }
EOF
l=$(lineof missing main.go)
capture missing-module.go-build log.txt missing go build ./...
want missing-module.go-build go-build missing_dependency "" main.go "$l"
capture missing-module.go-test-json log.jsonl missing go test -count=1 -json ./...
want missing-module.go-test-json go-test-json missing_dependency "" main.go "$l"
capture missing-module.go-mod-tidy log.txt missing go mod tidy
want missing-module.go-mod-tidy go-mod missing_dependency
newmod gosum
printf '\nrequire golang.org/x/text v0.14.0\n' >>"$WORK/gosum/go.mod"
src gosum main.go <<'EOF'
package main

import (
	"fmt"

	"golang.org/x/text/language" // FAULT
)

func main() { fmt.Println(language.English) }
EOF
capture missing-gosum.go-test log.txt gosum go test -count=1 ./...
want missing-gosum.go-test go-test missing_dependency "" main.go "$(lineof gosum main.go)"
