package mutation

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// suiteRun is one run of a suite: the top-level tests that failed.
type suiteRun struct {
	ok       bool
	failed   []string
	timedOut bool
	output   string
}

var (
	failLine    = regexp.MustCompile(`(?m)^--- FAIL: (\S+)`)
	timeoutLine = regexp.MustCompile(`(?m)^panic: test timed out after`)
)

// acceptance starts the service binary on a free loopback port, waits for
// its health endpoint, runs the compiled acceptance tests against it and
// stops it. A binary that never answers is still tested: the tests fail
// on it, as they would on a service that does not start.
func (b *bench) acceptance(ctx context.Context, bin string, extraEnv []string, limit time.Duration) (suiteRun, error) {
	port, err := freePort()
	if err != nil {
		return suiteRun{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	svc := exec.Command(bin)
	svc.Env = append(b.serviceEnv(port), extraEnv...)
	var logs bytes.Buffer
	svc.Stdout, svc.Stderr = &logs, &logs
	if err := svc.Start(); err != nil {
		return suiteRun{}, fmt.Errorf("mutation: start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = svc.Wait(); close(exited) }()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	waitHealthy(ctx, base+"/healthz", exited)
	res := suiteRun{ok: true}
	for _, t := range b.e2e {
		r := runTestBinary(ctx, t, base, limit)
		res.ok = res.ok && r.ok
		res.failed = append(res.failed, r.failed...)
		res.timedOut = res.timedOut || r.timedOut
		res.output += r.output
	}
	_ = svc.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = svc.Process.Kill()
		<-exited
	}
	return res, nil
}

// serviceEnv is the environment the service runs with: the spec's
// variables and the port, nothing of the user's own.
func (b *bench) serviceEnv(port int) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.tmp, "PORT=" + strconv.Itoa(port)}
	for _, e := range b.in.Spec.Env {
		env = append(env, e.Name+"="+e.Value)
	}
	return env
}

func runTestBinary(ctx context.Context, bin, base string, limit time.Duration) suiteRun {
	cmd := exec.CommandContext(ctx, bin, "-test.count=1", "-test.v", "-test.timeout="+limit.String())
	cmd.Env = []string{"BASE_URL=" + base, "PATH=" + os.Getenv("PATH")}
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	r := suiteRun{ok: err == nil, output: string(out)}
	for _, m := range failLine.FindAllStringSubmatch(r.output, -1) {
		r.failed = append(r.failed, m[1])
	}
	r.timedOut = timeoutLine.MatchString(r.output) || ctx.Err() != nil
	return r
}

// waitHealthy polls the health endpoint until it answers 200, the process
// exits or five seconds pass.
func waitHealthy(ctx context.Context, url string, exited <-chan struct{}) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		select {
		case <-exited:
			return
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("mutation: no free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// kills are the failed tests that failed on the original never.
func (b *bench) kills(suite string, failed []string) []string {
	var out []string
	for _, t := range failed {
		if name := suite + " " + t; !b.flaky[name] && !strings.Contains(t, "/") {
			out = append(out, name)
		}
	}
	return out
}
