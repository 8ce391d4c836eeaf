package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestReportsShowEveryPieceOfAFailingRun(t *testing.T) {
	in, dir := failingRun(t)
	recs := Recommend(in)
	page, err := HTML(in, recs, dir)
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(in, recs, dir)
	h := string(page)
	for _, tc := range []struct{ piece, html, md string }{
		{"outcome", `<span class="badge s-failed">failed</span> FAILED: 6 phase(s) ran, failed: test; tests 28 passed, 1 failed`, "**Outcome:** FAILED: 6 phase(s) ran, failed: test; tests 28 passed, 1 failed"},
		{"timeline bar to scale (test: 20s of 40s, after 19.9s)", `left:49.750%;width:50.000%`, "test      " + strings.Repeat(" ", 24) + strings.Repeat("█", 24)},
		{"phase section", `<section class="phase" id="phase-lint">`, "## lint\n\n**success** in 6.00s"},
		{"what a phase did", "<li>2 iteration(s); stopped: iteration-limit</li>", "- 2 iteration(s); stopped: iteration-limit"},
		{"LLM call with tokens, cost, cache", `<td>triage</td><td>ollama/qwen2.5-coder:7b</td><td class="mono">test.triage</td><td class="n">2200 / 200</td><td class="n">$0.0013</td><td class="n">4100ms</td><td>miss</td>`, "| 1 | triage | ollama/qwen2.5-coder:7b | `test.triage` | 2200 / 200 | $0.0013 | 4100ms | miss |"},
		{"cache hit and its provenance", "<td>hit (recorded)</td>", "| hit (recorded) |"},
		{"prompt and response links", `<a href="05-test/llm/01-test.triage.prompt.md">prompt</a> · <a href="05-test/llm/01-test.triage.response.txt">response</a>`, "[prompt](05-test/llm/01-test.triage.prompt.md) · [response](05-test/llm/01-test.triage.response.txt)"},
		{"test results per iteration", `<tr><td class="n">2</td><td>e2e</td><td class="n">7</td><td class="n">1</td>`, "| 2 | e2e | 7 | 1 | 0 | [`05-test/logs/02-e2e.jsonl`](05-test/logs/02-e2e.jsonl) |"},
		{"failure with class and evidence", `<span class="class">assertion_failure</span> at <code>tests/e2e/acceptance_test.go:91</code>: status 500, want 202<pre class="evidence">acceptance_test.go:91: status 500, want 202`, "- iteration 2, **assertion_failure** at `tests/e2e/acceptance_test.go:91`: status 500, want 202\n\n  ```text\n  acceptance_test.go:91: status 500, want 202\n  ```"},
		{"added line coloured", `<span class="d-add">&#43;	w.WriteHeader(http.StatusOK)</span>`, "\n+\tw.WriteHeader(http.StatusOK)\n"},
		{"removed line coloured", `<span class="d-del">-	w.WriteHeader(http.StatusCreated)</span>`, "\n-\tw.WriteHeader(http.StatusCreated)\n"},
		{"change with its reason", `<p>health answered 201 instead of 200 — patch <a href="05-test/diffs/01-triage.patch">`, "health answered 201 instead of 200 — patch [`05-test/diffs/01-triage.patch`]"},
		{"a refused change", `(refused)</span></h3>`, "for TestExamples/ignored_event (refused)"},
		{"run failure at its line", `— see <code>tests/e2e/acceptance_test.go:91</code>`, "— see `tests/e2e/acceptance_test.go:91`"},
		{"note linked", `— see <a href="05-test/diffs/01-triage.patch">`, "remediated in iteration 1 by triage: health answered 201 — see [`05-test/diffs/01-triage.patch`]"},
		{"first screen: the test, its assertion, file:line", `<code class="test">TestExamples/ignored_event</code>: <span class="assertion">status 500, want 202</span> <span class="muted">(assertion_failure, at <code>tests/e2e/acceptance_test.go:91</code>)</span>`,
			"  - `TestExamples/ignored_event`: status 500, want 202 (assertion_failure, at `tests/e2e/acceptance_test.go:91`)"},
		{"first screen: what the models did", "<li>scaffold: wrote the handlers: 2 file(s) in <code>service/</code> (2 created)", "  - test: the triage role proposed 2 fix(es): 1 kept"},
		{"first screen: where the answers came from", "2 model call(s): 1 answered live; 1 replayed, recorded from a model not named in the cache", "2 model call(s): 1 answered live"},
		{"first screen: cost", "<b>What it cost:</b> $0.0013 on models", "- **What it cost:** $0.0013 on models"},
		{"facts without raw backticks", "<li>6 file(s) in <code>service/</code></li>", "- 6 file(s) in `service/`"},
		{"recommendation", "<li>Resolve the assertion_failure failure in test", "- Resolve the assertion_failure failure in test"},
	} {
		if !strings.Contains(h, tc.html) {
			t.Errorf("report.html lacks the %s: %q", tc.piece, tc.html)
		}
		if !strings.Contains(md, tc.md) {
			t.Errorf("report.md lacks the %s: %q", tc.piece, tc.md)
		}
	}
	// Markdown's backticks become <code> in the page; only code and
	// evidence blocks keep them as text.
	prose := regexp.MustCompile(`(?s)<pre.*?</pre>|<style>.*?</style>`).ReplaceAllString(h, "")
	if i := strings.Index(prose, "`"); i >= 0 {
		t.Errorf("report.html shows a raw backtick: %q", prose[max(0, i-80):min(len(prose), i+80)])
	}
	if n := strings.Count(h, `<div class="bar `); n != 6 {
		t.Errorf("%d timeline bars, want 6", n)
	}
	if t.Failed() {
		t.Logf("report.md:\n%s", md)
	}
}

// selfContained finds what would make the page reach outside itself.
var external = regexp.MustCompile(`(?i)<script|<link|<img|<iframe|<object|\bsrc=|@import|url\(|(href|src)="(https?:)?//`)

func TestHTMLIsSelfContained(t *testing.T) {
	in, dir := failingRun(t)
	in.Failures = append(in.Failures, failureWith(`<script>alert(1)</script> and "https://example.com"`))
	page, err := HTML(in, Recommend(in), dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := external.Find(page); m != nil {
		t.Errorf("report.html reaches outside itself: %q", m)
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("a failure message is not escaped")
	}
}

// TestHTMLInChromium opens report.html of a failing run in headless
// Chromium, with every host unresolvable, and keeps the screenshot
// (go test -artifacts keeps it under the output directory). The pixels
// prove the style was applied: the timeline's bars in their status colours,
// the failed test phase's bar about 20/11 as long as the deploy phase's, and
// the diff's added and removed lines on green and red.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("ORCHESTRATE_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium not found: install Debian's chromium package (apt-get install chromium)")
		}
		t.Skip("chromium not found: install Debian's chromium package to see the report rendered")
	}
	in, dir := failingRun(t)
	page, err := HTML(in, Recommend(in), dir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir="+t.TempDir(),
		"--window-size=1280,3600", "--screenshot="+shot, "file://"+file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot: %s (%dx%d)", shot, img.Bounds().Dx(), img.Bounds().Dy())
	red, green := longestRun(img, 0xcf, 0x22, 0x2e), longestRun(img, 0x1a, 0x7f, 0x37)
	if green < 50 || red < 50 {
		t.Fatalf("timeline bars not drawn: longest red run %d px, green %d px", red, green)
	}
	if r := float64(red) / float64(green); r < 1.6 || r > 2.05 {
		t.Errorf("test bar %d px against deploy bar %d px: ratio %.2f, want about %.2f (20s / 11s)", red, green, r, 20.0/11)
	}
	if longestRun(img, 0xda, 0xfb, 0xe1) < 200 || longestRun(img, 0xff, 0xeb, 0xe9) < 200 {
		t.Error("the diff's added and removed lines are not coloured")
	}
}

func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// longestRun is the longest horizontal run of pixels of exactly one colour.
func longestRun(img image.Image, r, g, b uint8) int {
	best := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		run := 0
		for x := bd.Min.X; x < bd.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if uint8(pr>>8) == r && uint8(pg>>8) == g && uint8(pb>>8) == b {
				run++
				best = max(best, run)
			} else {
				run = 0
			}
		}
	}
	return best
}
