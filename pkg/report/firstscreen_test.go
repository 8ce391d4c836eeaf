package report

import (
	"context"
	"encoding/json"
	htmlstd "html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// firstScreenH is the height of what a reader sees of a failing run's report without
// scrolling, at 1280×800.
const firstScreenH = 800

// measure, appended to a copy of the page (the report itself has no
// script), records each element the first screen must show: its text
// and how far down the page it ends.
const measure = `<script>
const out = {};
for (const [name, sel] of [["test", "#glance code.test"], ["assertion", "#glance .assertion"], ["where", "#glance ul.failed .muted code"], ["models", "#glance ul:nth-of-type(2)"], ["cost", "#glance p:nth-of-type(3)"]]) {
  const el = document.querySelector(sel);
  out[name] = el ? {text: el.textContent, bottom: el.getBoundingClientRect().bottom} : null;
}
document.body.setAttribute("data-first-screen", JSON.stringify(out));
</script>`

// TestHTMLInChromiumFirstScreen opens a failing run's report.html in
// headless Chromium at 1280×800 and checks that the failing test, its
// assertion, its file:line, what the models did and the cost are laid
// out within the first screen; it keeps that screen's screenshot.
func TestHTMLInChromiumFirstScreen(t *testing.T) {
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
	probe := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(probe, []byte(strings.Replace(string(page), "</body>", measure+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, bin, "--dump-dom", "file://"+probe)
	m := regexp.MustCompile(`data-first-screen="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run; DOM:\n%.2000s", dom)
	}
	var got map[string]*struct {
		Text   string  `json:"text"`
		Bottom float64 `json:"bottom"`
	}
	if err := json.Unmarshal([]byte(htmlstd.UnescapeString(m[1])), &got); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"test": "TestExamples/ignored_event", "assertion": "status 500, want 202", "where": "tests/e2e/acceptance_test.go:91",
		"models": "the triage role proposed 2 fix(es)", "cost": "$0.0013 on models",
	} {
		e := got[name]
		switch {
		case e == nil:
			t.Errorf("%s: not on the page", name)
		case !strings.Contains(e.Text, want):
			t.Errorf("%s: %q, want it to hold %q", name, e.Text, want)
		case e.Bottom > firstScreenH:
			t.Errorf("%s ends %.0f px down: below the first screen (%d px)", name, e.Bottom, firstScreenH)
		}
	}
	shot := filepath.Join(t.ArtifactDir(), "report-first-screen.png")
	runChromium(t, bin, "--screenshot="+shot, "file://"+file)
	t.Logf("first screen: %s", shot)
}

func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + t.TempDir(),
		"--window-size=1280,800"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	return string(out)
}
