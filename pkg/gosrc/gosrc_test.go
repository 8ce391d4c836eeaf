package gosrc

import (
	"slices"
	"testing"
)

const src = `package main

import "net/http"

const defaultPort = "8080"

var (
	a, _ = 1, 2
	b    int
)

type rec struct{ status int }

func (r *rec) WriteHeader(code int) {}

func init() {}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", nil)
	mux.Handle("POST /v1/x", nil)
	mux.HandleFunc(pattern, nil)
}
`

func TestNamesAndPatterns(t *testing.T) {
	names, err := Names("main.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "defaultPort", "main", "rec"}; !slices.Equal(names, want) {
		t.Errorf("Names = %v, want %v", names, want)
	}
	pats, err := Patterns("main.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"GET /healthz", "POST /v1/x"}; !slices.Equal(pats, want) {
		t.Errorf("Patterns = %v, want %v", pats, want)
	}
	if _, err := Names("bad.go", []byte("package main\nfunc {")); err == nil {
		t.Error("a file that does not parse gave names")
	}
}

func TestGoDirective(t *testing.T) {
	for in, want := range map[string]string{
		"module example.com/x\n\ngo 1.24\n":                   "1.24",
		"module x\ngo 1.26.8 // pinned\ntoolchain go1.26.8\n": "1.26.8",
		"module x\n": "",
	} {
		if got := GoDirective([]byte(in)); got != want {
			t.Errorf("GoDirective(%q) = %q, want %q", in, got, want)
		}
	}
}
