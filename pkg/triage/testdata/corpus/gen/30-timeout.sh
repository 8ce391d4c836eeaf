# Timeouts: go test -timeout on a sleeping test, a request whose context
# deadline passes, an http.Client timeout. Sourced by gen.sh.

newmod slow
src slow slow_test.go <<'EOF'
package slow

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) { t.Log("quick") }

func TestSlow(t *testing.T) {
	t.Log("waiting for the queue to drain")
	time.Sleep(5 * time.Second) // FAULT
}
EOF
gotest timeout-sleep slow TestSlow "" "" timeout -timeout 1s

newmod deadline
src deadline client_test.go <<'EOF'
package deadline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func report(w http.ResponseWriter, r *http.Request) {
	time.Sleep(400 * time.Millisecond)
	w.Write([]byte("{}"))
}

func TestReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(report))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/report", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /report: %v", err) // FAULT
	}
	resp.Body.Close()
}

func TestReportClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(report))
	defer srv.Close()
	c := &http.Client{Timeout: 50 * time.Millisecond}
	resp, err := c.Get(srv.URL + "/report")
	if err != nil {
		t.Fatalf("GET /report: %v", err) // client timeout
	}
	resp.Body.Close()
}
EOF
capture timeout-context-deadline.go-test log.txt deadline go test -count=1 -run 'TestReport$' ./...
want timeout-context-deadline.go-test go-test timeout TestReport client_test.go "$(lineof deadline client_test.go)"
capture timeout-context-deadline.go-test-json log.jsonl deadline go test -count=1 -json -run 'TestReport$' ./...
want timeout-context-deadline.go-test-json go-test-json timeout TestReport client_test.go "$(lineof deadline client_test.go)"
cl_line=$(lineof deadline client_test.go '// client timeout')
capture timeout-client.go-test-v log.txt deadline go test -count=1 -v -run 'TestReportClient$' ./...
want timeout-client.go-test-v go-test-v timeout TestReportClient client_test.go "$cl_line"
