package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/orchestrate-dev/orchestrate/ci/fixtures"
	"github.com/orchestrate-dev/orchestrate/pkg/cli"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/prompts"
)

// The scripts run the real binary: testscript re-executes this test binary
// as `orchestrate`, a separate process, so signals and exit codes are real.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"orchestrate": func() { lint.ServeVetTool(); os.Exit(cli.Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, Params(t, "testdata/script"))
}

// Params are shared by every script directory.
func Params(t *testing.T, dir string) testscript.Params {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile(filepath.Join(root, "orchestrate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	goEnv := map[string]string{}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		goEnv[[]string{"GOCACHE", "GOMODCACHE", "GOPATH"}[i]] = line
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			// Model servers on loopback speaking the providers' wire formats.
			oa := httptest.NewServer(fakeOpenAI(env.WorkDir))
			ol := httptest.NewServer(&fixtures.Ollama{Models: []string{"qwen2.5-coder:7b"}})
			env.Defer(oa.Close)
			env.Defer(ol.Close)
			// A successful run makes its image the service's stable release,
			// which outlives the run on purpose: the script's go at its end.
			work := env.WorkDir
			env.Defer(func() {
				if err := removeReleases(work); err != nil {
					env.T().Fatal(err)
				}
			})
			env.Setenv("FAKE_OPENAI", oa.URL)
			env.Setenv("FAKE_OLLAMA", ol.URL)
			for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "OLLAMA_HOST"} {
				env.Setenv(k, "")
			}
			env.Setenv("CI", os.Getenv("CI"))
			env.Setenv("REPO", root)
			// The generated service is built with the real toolchain: share
			// the build and module caches rather than start cold.
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			return os.WriteFile(filepath.Join(env.WorkDir, "reference.yaml"), ref, 0o644)
		},
		Condition: func(cond string) (bool, error) {
			if cond != "docker" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			eng, err := docker.Connect(context.Background(), "")
			if err != nil {
				if os.Getenv("CI") != "" {
					return false, fmt.Errorf("CI is set and Docker is unreachable: %v", err)
				}
				return false, nil
			}
			eng.Close()
			return true, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"validate-summaries": cmdValidateSummaries,
			"summary":            cmdSummary,
			"runid":              cmdRunID,
			"flipbyte":           cmdFlipByte,
			"copytree":           cmdCopyTree,
			"sametree":           cmdSameTree,
			"interrupt":          cmdInterrupt,
			"deploy-url":         cmdDeployURL,
			"http-get":           cmdHTTPGet,
			"docker-gone":        cmdDockerGone,
			"sameresults":        cmdSameResults,
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
			if err != nil {
				// phases.mutation: the element named so.
				i = slices.IndexFunc(t, func(e any) bool { m, ok := e.(map[string]any); return ok && m["name"] == part })
			}
			if i < 0 || i >= len(t) {
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

// fakeOpenAI answers like an OpenAI-compatible server (vLLM, LM Studio)
// serving gpt-4o-mini: GET /v1/models (a request with the key "bad-key"
// gets OpenAI's 401 body) and chat completions. A chat completion is
// answered from $WORK/model/<prompt>.<n> or $WORK/model/<prompt> when the
// script provides one, else from the hand-written fixtures; every request
// is logged to $WORK/model-requests.log. Two answers are special: HANG
// (the server holds the request until the client goes away) and a first
// line "HTTP 429" (rate limited, Retry-After: 0).
func fakeOpenAI(work string) http.Handler {
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
	scripted := func(prompt string, n int) (string, bool) {
		for _, name := range []string{fmt.Sprintf("%s.%d", prompt, n), prompt} {
			if b, err := os.ReadFile(filepath.Join(work, "model", name)); err == nil {
				return string(b), true
			}
		}
		return "", false
	}
	var mu sync.Mutex
	counts := map[string]int{}
	fx := &fixtures.Server{}
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		json.Unmarshal(body, &req)
		prompt := "?"
		if len(req.Messages) > 0 {
			prompt, _, _ = prompts.Marker(req.Messages[0].Content)
		}
		mu.Lock()
		counts[prompt]++
		n := counts[prompt]
		if f, err := os.OpenFile(filepath.Join(work, "model-requests.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s %d\n", prompt, n)
			f.Close()
		}
		mu.Unlock()
		answer, ok := scripted(prompt, n)
		switch {
		case !ok:
			r.Body = io.NopCloser(bytes.NewReader(body))
			fx.ServeHTTP(w, r)
		case strings.TrimSpace(answer) == "HANG":
			<-r.Context().Done()
			return
		case strings.HasPrefix(answer, "HTTP 429"):
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","code":"rate_limit_exceeded"}}`)
		default:
			fixtures.WriteCompletion(w, fmt.Sprintf("chatcmpl-script-%d", n), len(body), answer)
		}
	})
	return mux
}

// copytree SRC DST: copies a directory tree.
func cmdCopyTree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: copytree SRC DST")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	ts.Check(err)
}

// sametree A B: the two trees hold the same files, byte for byte (files
// ignored by git in the repository, such as a built binary, aside).
func cmdSameTree(ts *testscript.TestScript, neg bool, args []string) {
	// -without PHASE: the files PHASE generated (their .orchestrate.sum
	// lines too) are left out on both sides.
	without := ""
	if len(args) == 4 && args[0] == "-without" {
		without, args = args[1], args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: sametree [-without PHASE] A B")
	}
	ignored := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(ts.MkAbs(args[0]), ".gitignore")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "/") {
				ignored[l[1:]] = true
			}
		}
	}
	read := func(root string) map[string]string {
		m := map[string]string{}
		ts.Check(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if ignored[filepath.ToSlash(rel)] {
				return nil
			}
			b, err := os.ReadFile(p)
			m[filepath.ToSlash(rel)] = string(b)
			return err
		}))
		return m
	}
	a, b := read(ts.MkAbs(args[0])), read(ts.MkAbs(args[1]))
	for _, m := range []map[string]string{a, b} {
		if without == "" {
			break
		}
		var kept []string
		for _, l := range strings.SplitAfter(m[".orchestrate.sum"], "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[1] == without {
				delete(m, f[2])
				continue
			}
			kept = append(kept, l)
		}
		m[".orchestrate.sum"] = strings.Join(kept, "")
	}
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, "only in "+args[0]+": "+k)
		} else if v != w {
			diffs = append(diffs, "differs: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, "only in "+args[1]+": "+k)
		}
	}
	sort.Strings(diffs)
	if neg && len(diffs) == 0 {
		ts.Fatalf("%s and %s are the same", args[0], args[1])
	}
	if !neg && len(diffs) > 0 {
		ts.Fatalf("%s and %s differ:\n%s", args[0], args[1], strings.Join(diffs, "\n"))
	}
}

// interrupt FILE CMD ARGS...: starts CMD, waits until FILE exists (the
// command reached the point to interrupt), sends it SIGINT, waits for it,
// and prints "exit N" with N its real exit code.
func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: interrupt FILE CMD ARGS...")
	}
	path, err := exec.LookPath(args[1])
	if dir, file := filepath.Split(args[1]); dir == "" {
		for _, d := range filepath.SplitList(ts.Getenv("PATH")) {
			if _, err2 := os.Stat(filepath.Join(d, file)); err2 == nil {
				path, err = filepath.Join(d, file), nil
				break
			}
		}
	}
	ts.Check(err)
	cmd := exec.Command(path, args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "NO_COLOR", "OPENAI_BASE_URL", "OPENAI_API_KEY", "OLLAMA_HOST", "GOCACHE", "GOMODCACHE", "GOPATH"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ts.Check(cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			ts.Fatalf("%s never appeared; stderr:\n%s", args[0], stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Check(cmd.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		ts.Fatalf("the command did not stop within 30s of SIGINT")
	}
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	fmt.Fprintf(ts.Stdout(), "exit %d\n", cmd.ProcessState.ExitCode())
}

// deploy-url RUNDIR VAR: sets VAR to the URL the deploy phase of the run
// in RUNDIR published.
func cmdDeployURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: deploy-url RUNDIR VAR")
	}
	var out struct {
		URL string `json:"url"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(filepath.Join(args[0], "05-deploy", "output.json"))), &out))
	if out.URL == "" {
		ts.Fatalf("no url in the deploy output")
	}
	ts.Setenv(args[1], out.URL)
}

// http-get URL: prints the body; fails on a transport error or a status
// other than 200.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: http-get URL")
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(args[0])
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	if neg != (err != nil) {
		ts.Fatalf("GET %s: %v", args[0], err)
	}
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ts.Stdout().Write(b)
	}
}

// docker-gone RUN: no container, network or image of the run is left.
func cmdDockerGone(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: docker-gone RUN")
	}
	eng, err := docker.Connect(context.Background(), "")
	ts.Check(err)
	defer eng.Close()
	left := leftovers(eng, args[0])
	if !neg && left != "" {
		ts.Fatalf("run %s left %s", args[0], left)
	}
	if neg && left == "" {
		ts.Fatalf("run %s left nothing", args[0])
	}
}
