# Large logs: passing tests print a lot (request logs, retries, pages of
# results, through t.Log or straight to stdout) around the one failure.
# NOISE_LINES sets how many lines each noisy test prints; NOISE_OUT=stdout
# prints them with fmt.Println, which plain go test shows too. Sourced by
# gen.sh.

newmod big
src big noise_test.go <<'EOF'
package big

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// noise prints what a busy passing test prints.
func noise(t *testing.T, name string) {
	n, _ := strconv.Atoi(os.Getenv("NOISE_LINES"))
	for i := 0; i < n; i++ {
		var line string
		switch {
		case i%97 == 0:
			line = fmt.Sprintf("%s: retrying GET /items/%d after error: read: connection reset by peer (attempt 2)", name, i)
		case i%101 == 0:
			line = fmt.Sprintf("%s: got %d items, want at least 1; next page token %q", name, i%13+1, fmt.Sprintf("p%06d", i))
		default:
			line = fmt.Sprintf("%s: GET /items/%d -> 200 in %dms (etag \"w/%08x\", cache %s)", name, i, i%23, i*7919, []string{"hit", "miss"}[i%2])
		}
		if os.Getenv("NOISE_OUT") == "stdout" {
			fmt.Println(line)
		} else {
			t.Log(line)
		}
	}
}

func TestCatalogA(t *testing.T) { noise(t, "catalog-a") }
EOF
src big handlers.go <<'EOF'
package big

import "net/http"

func create(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }

func list(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }

type cache struct{ hits map[string]int }

func (c *cache) hit(k string) {
	c.hits[k]++ // FAULT
}
EOF
src big status_test.go <<'EOF'
package big

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestStatus(t *testing.T) {
	for _, c := range []struct {
		name string
		h    http.HandlerFunc
		want int
	}{
		{"list", list, 200},
		{"create", create, 202},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.h(rec, httptest.NewRequest("POST", "/items", nil))
			if rec.Code != c.want {
				t.Errorf("status = %d, want %d", rec.Code, c.want) // status
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err) // refused
	}
	resp.Body.Close()
}

func TestCatalogB(t *testing.T) { noise(t, "catalog-b") }

func TestSlow(t *testing.T) { time.Sleep(30 * time.Second) }

func TestCrash(t *testing.T) {
	var c cache
	c.hit("a")
}
EOF
st=$(lineof big status_test.go '// status')
rf=$(lineof big status_test.go '// refused')
sel='TestCatalogA$|TestStatus|TestCatalogB$'
NOISE_LINES=2650 capture large-subtest-500k.go-test-v log.txt big go test -count=1 -v -run "$sel" ./...
want large-subtest-500k.go-test-v go-test-v assertion_failure TestStatus/create status_test.go "$st"
NOISE_LINES=3450 NOISE_OUT=stdout capture large-subtest-500k.go-test log.txt big go test -count=1 -run "$sel" ./...
want large-subtest-500k.go-test go-test assertion_failure TestStatus/create status_test.go "$st"
NOISE_LINES=6900 NOISE_OUT=stdout capture large-subtest-1m.go-test log.txt big go test -count=1 -run "$sel" ./...
want large-subtest-1m.go-test go-test assertion_failure TestStatus/create status_test.go "$st"
NOISE_LINES=2250 capture large-subtest-1m.go-test-json log.jsonl big go test -count=1 -json -run "$sel" ./...
want large-subtest-1m.go-test-json go-test-json assertion_failure TestStatus/create status_test.go "$st"
sel='TestCatalogA$|TestHealthz|TestCatalogB$'
NOISE_LINES=1100 capture large-refused-500k.go-test-json log.jsonl big go test -count=1 -json -run "$sel" ./...
want large-refused-500k.go-test-json go-test-json service_unreachable TestHealthz status_test.go "$rf"
NOISE_LINES=10500 capture large-panic-1m.go-test-v log.txt big go test -count=1 -v -run 'TestCatalogA$|TestCrash' ./...
want large-panic-1m.go-test-v go-test-v panic TestCrash handlers.go "$(lineof big handlers.go)"
NOISE_LINES=6800 NOISE_OUT=stdout capture large-timeout-500k.go-test log.txt big go test -count=1 -timeout 3s -run 'TestCatalogA$|TestSlow' ./...
want large-timeout-500k.go-test go-test timeout TestSlow
NOISE_LINES=2200 capture large-timeout-500k.go-test-json log.jsonl big go test -count=1 -json -timeout 3s -run 'TestCatalogA$|TestSlow' ./...
want large-timeout-500k.go-test-json go-test-json timeout TestSlow
