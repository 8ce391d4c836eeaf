package review

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

const patch = `diff --git a/service/main.go b/service/main.go
--- a/service/main.go
+++ b/service/main.go
@@ -3,4 +3,5 @@ package main
 import "fmt"
 
-var a = 1
+var a = 2
+var b = 3
 func f() {}
`

func TestParsePatchCountsAddedLines(t *testing.T) {
	c, err := ParsePatch("x", patch)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 1 || fmt.Sprint(c.Files[0].Added) != "[5 6]" || c.Files[0].Removed != 1 {
		t.Fatalf("%+v", c.Files)
	}
	if !c.Touches("service/main.go", 6) || c.Touches("service/main.go", 4) || !c.Shows("service/main.go", 4) || c.Shows("service/main.go", 9) || c.Shows("other.go", 0) {
		t.Error("Touches/Shows")
	}
	if _, err := ParsePatch("x", "this is not a diff\n"); err == nil || !strings.Contains(err.Error(), "no file changes") {
		t.Errorf("prose taken for a diff: %v", err)
	}
}

func TestBreakingNamesWhatClientsLose(t *testing.T) {
	ep := func(m, p string, status int, resp map[string]any) spec.Endpoint {
		return spec.Endpoint{Method: m, Path: p, Examples: []spec.Example{{Status: status, Response: resp}}}
	}
	old := spec.Service{Endpoints: []spec.Endpoint{
		ep("GET", "/healthz", 200, map[string]any{"status": "ok"}),
		ep("POST", "/v1/x", 202, map[string]any{"id": "a", "n": 1}),
		ep("DELETE", "/v1/x", 204, nil),
	}}
	cur := spec.Service{Endpoints: []spec.Endpoint{
		ep("GET", "/healthz", 200, map[string]any{"status": "ok", "extra": true}), // a field added breaks nothing
		ep("POST", "/v1/x", 201, map[string]any{"id": 7}),
	}}
	var got []string
	for _, f := range Breaking(old, cur, "orchestrate.yaml") {
		got = append(got, f.Rule+": "+f.Message)
	}
	want := []string{
		"status-removed: POST /v1/x no longer answers 202: clients handling it break",
		`field-changed: POST /v1/x: response field "id" changed from string to number`,
		`field-removed: POST /v1/x: response field "n" was removed`,
		"endpoint-removed: endpoint DELETE /v1/x was removed: its clients will get 404/405",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecretsOnlyOnAddedLines(t *testing.T) {
	src := "package main\n\nvar old = \"ghp_R8x2kQ7mN4vB9cL1pZ6wY3tH5jF0gD2sA8eU\"\nvar token = \"ghp_Z8x2kQ7mN4vB9cL1pZ6wY3tH5jF0gD2sA8eQ\"\n"
	c := Change{Files: []ChangeFile{{Path: "service/k.go", Status: "modified", Added: []int{4}}}}
	fs, err := Secrets(context.Background(), c, func(string) ([]byte, error) { return []byte(src), nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Line != 4 || fs[0].Rule != "github-pat" || strings.Contains(fs[0].Message, "Z8x2kQ7mN4") {
		t.Fatalf("%+v", fs)
	}
}

func TestConstructs(t *testing.T) {
	src := `package main

import ("fmt"; "log"; "os")

const header = "X-Api-Key"
const apiKeyEnv = "NOTIFY_API_KEY"
var dbPassword = "hunter2-Prod-9"

func f() {
	log.Printf("password is set: %v", dbPassword != "") // TODO tidy
	fmt.Println("token", os.Getenv("API_TOKEN"))
}
`
	var added []int
	for i := 1; i <= strings.Count(src, "\n"); i++ {
		added = append(added, i)
	}
	c := Change{Files: []ChangeFile{{Path: "service/f.go", Status: "added", Added: added}}}
	var got []string
	for _, f := range sortFindings(Constructs(c, func(string) ([]byte, error) { return []byte(src), nil })) {
		got = append(got, fmt.Sprintf("%s:%d", f.Rule, f.Line))
	}
	// The comparison prints no secret's value: only the second print is one.
	want := "hardcoded-password:7 debug-print-secret:11 todo:10"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}
