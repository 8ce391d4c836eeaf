package merge

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// maxFailures bounds the failures listed per run; its summary has all.
const maxFailures = 5

// Markdown is the merged report as Markdown (for $GITHUB_STEP_SUMMARY).
func Markdown(r *Report) string {
	var b strings.Builder
	t := r.Totals
	fmt.Fprintf(&b, "# orchestrate: %d run(s) merged\n\n**Outcome:** %s: %d succeeded, %d partial, %d failed; tests %d passed, %d failed; %d failure(s), %d note(s); %d model call(s) (%d from the cache), $%.4f\n\n",
		t.Runs, strings.ToUpper(string(r.Status)), t.Succeeded, t.Partial, t.Failed, t.TestsPassed, t.TestsFailed, t.Failures, t.Notes, t.Calls, t.CacheHits, t.CostUSD)
	b.WriteString("| service | run | status | tests passed / failed | failures | notes | model calls | cost | duration | report |\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, run := range r.Runs {
		s := run.Summary
		report := "—"
		if run.Report != "" {
			report = fmt.Sprintf("[report](%s)", run.Report)
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %d / %d | %d | %d | %d | $%.4f | %.1fs | %s |\n", cell(run.Service), s.RunID, s.Status,
			s.TestsPassed, s.TestsFailed, len(s.Failures), len(s.Notes), s.LLM.Calls, s.LLM.CostUSD, s.TimeTakenSeconds, report)
	}
	b.WriteString("\n## Failures\n\n")
	if r.Totals.Failures == 0 {
		b.WriteString("None.\n")
	}
	for _, run := range r.Runs {
		fs := run.Summary.Failures
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "### %s (`%s`)\n\n", run.Service, run.Summary.RunID)
		for i, f := range fs {
			if i == maxFailures {
				fmt.Fprintf(&b, "- and %d more in `%s`\n", len(fs)-maxFailures, run.Path)
				break
			}
			fmt.Fprintf(&b, "- **%s** in %s: %s", f.Class, f.Phase, oneLine(f.Message))
			if f.Where != "" {
				fmt.Fprintf(&b, " (at `%s`)", f.Where)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// HTML is the merged report as one self-contained page.
func HTML(r *Report) ([]byte, error) {
	var b bytes.Buffer
	err := page.Execute(&b, r)
	return b.Bytes(), err
}

var page = template.Must(template.New("merged.html").Funcs(template.FuncMap{
	"usd":  func(f float64) string { return fmt.Sprintf("$%.4f", f) },
	"secs": func(f float64) string { return fmt.Sprintf("%.1fs", f) },

	"line": oneLine,
	"max":  func() int { return maxFailures },
}).Parse(pageTemplate))

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>orchestrate: {{.Totals.Runs}} run(s) merged — {{.Status}}</title>
<style>
body { margin:0; padding:24px 32px; font:14px/1.5 system-ui, sans-serif; color:#1b1f24; max-width:1200px; }
table { border-collapse:collapse; width:100%; margin:8px 0; } th, td { border:1px solid #d0d7de; padding:4px 8px; text-align:left; }
th { background:#f6f8fa; } td.n { text-align:right; font-variant-numeric:tabular-nums; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-weight:600; font-size:12px; text-transform:uppercase; }
.s-success { background:#1a7f37; } .s-failed { background:#cf222e; } .s-partial { background:#9a6700; }
code { font-family: ui-monospace, monospace; font-size:12.5px; }
</style>
</head>
<body>
<h1>orchestrate: {{.Totals.Runs}} run(s) merged</h1>
<p><span class="badge s-{{.Status}}">{{.Status}}</span> {{.Totals.Succeeded}} succeeded, {{.Totals.Partial}} partial, {{.Totals.Failed}} failed; tests {{.Totals.TestsPassed}} passed, {{.Totals.TestsFailed}} failed; {{.Totals.Failures}} failure(s), {{.Totals.Notes}} note(s); {{.Totals.Calls}} model call(s) ({{.Totals.CacheHits}} from the cache), {{usd .Totals.CostUSD}}</p>
<table>
<tr><th>service</th><th>run</th><th>status</th><th>tests passed / failed</th><th>failures</th><th>notes</th><th>model calls</th><th>cost</th><th>duration</th><th>report</th></tr>
{{range .Runs}}<tr><td>{{.Service}}</td><td><code>{{.Summary.RunID}}</code></td><td><span class="badge s-{{.Summary.Status}}">{{.Summary.Status}}</span></td><td class="n">{{.Summary.TestsPassed}} / {{.Summary.TestsFailed}}</td><td class="n">{{len .Summary.Failures}}</td><td class="n">{{len .Summary.Notes}}</td><td class="n">{{.Summary.LLM.Calls}}</td><td class="n">{{usd .Summary.LLM.CostUSD}}</td><td class="n">{{secs .Summary.TimeTakenSeconds}}</td><td>{{if .Report}}<a href="{{.Report}}">report</a>{{else}}—{{end}}</td></tr>
{{end}}</table>
<h2>Failures</h2>
{{if not .Totals.Failures}}<p>None.</p>{{end}}
{{range .Runs}}{{if .Summary.Failures}}<h3>{{.Service}} (<code>{{.Summary.RunID}}</code>)</h3><ul>
{{range $i, $f := .Summary.Failures}}{{if lt $i max}}<li><b>{{.Class}}</b> in {{.Phase}}: {{line .Message}}{{if .Where}} (at <code>{{.Where}}</code>){{end}}</li>
{{end}}{{end}}</ul>{{end}}{{end}}
</body>
</html>
`

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
