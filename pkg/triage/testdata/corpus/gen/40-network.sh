# The service is not there: a client test against a loopback port nothing
# listens on any more (connection refused), against a server that resets
# the connection, and against one that closes it without answering (EOF).
# Sourced by gen.sh.

newmod refused
src refused e2e_test.go <<'EOF'
package refused

import (
	"net"
	"net/http"
	"testing"
)

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestHealthz(t *testing.T) {
	base := "http://" + closedPort(t)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err) // FAULT
	}
	resp.Body.Close()
}
EOF
gotest refused refused TestHealthz e2e_test.go "$(lineof refused e2e_test.go)" service_unreachable

newmod reset
src reset e2e_test.go <<'EOF'
package reset

import (
	"bufio"
	"net"
	"net/http"
	"testing"
)

// resetting accepts connections, reads the request and resets them.
func resetting(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(c).ReadString('\n')
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	return l.Addr().String()
}

// closing accepts connections, reads the request and closes them.
func closing(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(c)
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == "\r\n" {
					break
				}
			}
			c.Close()
		}
	}()
	return l.Addr().String()
}

func TestItemsReset(t *testing.T) {
	resp, err := http.Get("http://" + resetting(t) + "/items")
	if err != nil {
		t.Fatalf("GET /items: %v", err) // FAULT
	}
	resp.Body.Close()
}

func TestItemsEOF(t *testing.T) {
	resp, err := http.Get("http://" + closing(t) + "/items")
	if err != nil {
		t.Fatalf("GET /items: %v", err) // eof
	}
	resp.Body.Close()
}
EOF
capture reset-by-peer.go-test-v log.txt reset go test -count=1 -v -run 'TestItemsReset$' ./...
want reset-by-peer.go-test-v go-test-v service_unreachable TestItemsReset e2e_test.go "$(lineof reset e2e_test.go)"
eof_line=$(lineof reset e2e_test.go '// eof')
capture server-closed-eof.go-test log.txt reset go test -count=1 -run 'TestItemsEOF$' ./...
want server-closed-eof.go-test go-test service_unreachable TestItemsEOF e2e_test.go "$eof_line"
capture server-closed-eof.go-test-json log.jsonl reset go test -count=1 -json -run 'TestItemsEOF$' ./...
want server-closed-eof.go-test-json go-test-json service_unreachable TestItemsEOF e2e_test.go "$eof_line"
