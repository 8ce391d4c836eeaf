package e2e

import (
	"io"
	"net/http"
	"os"
	"testing"
)

func get(t *testing.T, path string) (int, string) {
	resp, err := http.Get(os.Getenv("BASE_URL") + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPass(t *testing.T) {
	if code, body := get(t, "/grade?score=70"); code != 200 || body != "pass" {
		t.Errorf("score 70: %d %q", code, body)
	}
}

func TestNotANumber(t *testing.T) {
	if code, _ := get(t, "/grade?score=x"); code != 400 {
		t.Errorf("score x: %d, want 400", code)
	}
}
