package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/orchestrate-dev/orchestrate/pkg/cli"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// The scripts run the real binary: testscript re-executes this test binary
// as `orchestrate`, a separate process, so signals and exit codes are real.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"orchestrate": func() { os.Exit(cli.Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, Params(t, "testdata/script"))
}

// Params are shared by every script directory.
func Params(t *testing.T, dir string) testscript.Params {
	ref, err := os.ReadFile(filepath.Join("..", "..", "orchestrate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			// Model servers on loopback speaking the providers' wire formats.
			oa := httptest.NewServer(fakeOpenAI())
			ol := httptest.NewServer(fakeOllama())
			env.Defer(oa.Close)
			env.Defer(ol.Close)
			env.Setenv("FAKE_OPENAI", oa.URL)
			env.Setenv("FAKE_OLLAMA", ol.URL)
			for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "OLLAMA_HOST"} {
				env.Setenv(k, "")
			}
			env.Setenv("CI", os.Getenv("CI"))
			return os.WriteFile(filepath.Join(env.WorkDir, "reference.yaml"), ref, 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"validate-summaries": cmdValidateSummaries,
			"summary":            cmdSummary,
			"runid":              cmdRunID,
			"flipbyte":           cmdFlipByte,
		},
	}
}

func summaries(ts *testscript.TestScript, dir string) []string {
	ps, _ := filepath.Glob(filepath.Join(ts.MkAbs(dir), "summary-*.json"))
	sort.Strings(ps)
	return ps
}

// validate-summaries DIR: every summary in DIR is valid against the schema
// (and there is at least one).
func cmdValidateSummaries(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: validate-summaries DIR")
	}
	ps := summaries(ts, args[0])
	if len(ps) == 0 {
		ts.Fatalf("no summary in %s", args[0])
	}
	for _, p := range ps {
		err := summary.Validate([]byte(ts.ReadFile(p)))
		if neg && err == nil {
			ts.Fatalf("%s is valid", p)
		}
		if !neg && err != nil {
			ts.Fatalf("%s: %v", p, err)
		}
	}
}

// summary DIR KEY=VALUE...: the newest summary in DIR has these values;
// KEY is dotted (failures.0.class), VALUE compared as JSON text or string.
func cmdSummary(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: summary DIR KEY=VALUE...")
	}
	ps := summaries(ts, args[0])
	if len(ps) == 0 {
		ts.Fatalf("no summary in %s", args[0])
	}
	newest := ps[0]
	var newestAt string
	for _, p := range ps {
		var s struct {
			FinishedAt string `json:"finished_at"`
		}
		json.Unmarshal([]byte(ts.ReadFile(p)), &s)
		if s.FinishedAt > newestAt {
			newest, newestAt = p, s.FinishedAt
		}
	}
	var doc any
	if err := json.Unmarshal([]byte(ts.ReadFile(newest)), &doc); err != nil {
		ts.Fatalf("%s: %v", newest, err)
	}
	for _, kv := range args[1:] {
		k, want, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("bad KEY=VALUE %q", kv)
		}
		got := lookup(doc, k)
		match := got == want || strings.HasPrefix(want, "~") && strings.Contains(got, want[1:])
		if match == neg {
			ts.Fatalf("%s: %s = %s, want %s%s", filepath.Base(newest), k, got, map[bool]string{true: "not "}[neg], want)
		}
	}
}

func lookup(v any, key string) string {
	for _, part := range strings.Split(key, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i >= len(t) {
				return "<missing>"
			}
			v = t[i]
		default:
			return "<missing>"
		}
	}
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return "<missing>"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// runid DIR VAR: sets VAR to the id of the newest run directory in DIR.
func cmdRunID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: runid DIR VAR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	var ids []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "llm-cache" {
			ids = append(ids, e.Name())
		}
	}
	if len(ids) == 0 {
		ts.Fatalf("no run in %s", args[0])
	}
	sort.Strings(ids)
	ts.Setenv(args[1], ids[len(ids)-1])
}

// flipbyte FILE LINE: changes one byte in the middle of line LINE (1-based).
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE LINE")
	}
	p := ts.MkAbs(args[0])
	b, err := os.ReadFile(p)
	ts.Check(err)
	n, _ := strconv.Atoi(args[1])
	lines := strings.SplitAfter(string(b), "\n")
	if n < 1 || n > len(lines) {
		ts.Fatalf("line %d out of range", n)
	}
	l := []byte(lines[n-1])
	// Change a digit of the timestamp: the line stays valid JSON.
	i := strings.Index(string(l), `"time":"`) + len(`"time":"`) + 3
	l[i] = map[bool]byte{true: '1', false: '2'}[l[i] != '1']
	lines[n-1] = string(l)
	ts.Check(os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644))
	fmt.Fprintf(ts.Stdout(), "flipped a byte of line %d\n", n)
}

// fakeOpenAI answers GET /v1/models like an OpenAI-compatible server
// (vLLM, LM Studio) serving gpt-4o-mini; a request with the key "bad-key"
// gets OpenAI's 401 body.
func fakeOpenAI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") == "Bearer bad-key" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided: bad-key.","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1,"owned_by":"system"}]}`)
	})
	return mux
}

// fakeOllama answers /api/version and /api/show like Ollama with only
// qwen2.5-coder:7b pulled.
func fakeOllama() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"version":"0.17.4"}`)
	})
	mux.HandleFunc("POST /api/show", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if req.Model != "qwen2.5-coder:7b" {
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"error":"model '%s' not found"}`, req.Model)
			return
		}
		fmt.Fprint(w, `{"modelfile":"","parameters":"","template":"","details":{"family":"qwen2","parameter_size":"7.6B"}}`)
	})
	return mux
}
