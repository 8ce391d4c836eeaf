package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// HTML renders report.html: one self-contained page (inline style, no
// script, no font or image from anywhere), with links to the run's files
// relative to the run directory. runDir is where the patches are read from.
func HTML(in Input, recs []string, runDir string) ([]byte, error) {
	return html(newView(in, recs, runDir))
}

func html(v view) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var page = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"secs":  func(f float64) string { return fmt.Sprintf("%.2fs", f) },
	"pct":   func(f float64) template.CSS { return template.CSS(fmt.Sprintf("%.3f%%", f)) },
	"usd":   func(f float64) string { return fmt.Sprintf("$%.4f", f) },
	"owner": func(c string) string { return string(failure.Owner(failure.Class(c))) },
	"when":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short": func(h string) string {
		if len(h) > 12 {
			return h[:12]
		}
		return h
	},
	"inRun": func(p string) bool { return runFile.MatchString(p) },
	"cache": cacheText,
	"inc":   func(i int) int { return i + 1 },
	"add":   func(a, b int) int { return a + b },
	"code":  codeSpans,
	"upper": strings.ToUpper,
	"by":    answeredBy,
	"tok":   tokens,
}).Parse(pageTemplate))

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orchestrate run {{.RunID}} — {{upper .Status}}</title>
<style>
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#ffffff; --soft:#f6f8fa;
  --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --skip:#8c959f; }
* { box-sizing: border-box; }
body { margin:0; padding:24px 32px 48px; font:14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); max-width:1200px; }
h1 { font-size:22px; margin:0 0 8px; } h2 { font-size:18px; margin:32px 0 8px; border-bottom:1px solid var(--line); padding-bottom:4px; }
h3 { font-size:15px; margin:20px 0 6px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size:12.5px; }
a { color:#0969da; }
.outcome { font-size:16px; padding:10px 14px; border-radius:6px; border:1px solid var(--line); background:var(--soft); margin:8px 0 12px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-weight:600; font-size:12px; text-transform:uppercase; }
.s-success { background:var(--ok); } .s-failed { background:var(--bad); } .s-partial { background:var(--warn); } .s-skipped { background:var(--skip); }
.meta { color:var(--muted); margin:0; padding:0; list-style:none; display:flex; flex-wrap:wrap; gap:4px 20px; }
table { border-collapse:collapse; margin:8px 0; width:100%; }
th, td { border:1px solid var(--line); padding:4px 8px; text-align:left; vertical-align:top; }
th { background:var(--soft); font-weight:600; }
td.n { text-align:right; font-variant-numeric:tabular-nums; }
.timeline { border:1px solid var(--line); border-radius:6px; padding:10px 12px; background:var(--soft); }
.trow { display:grid; grid-template-columns:90px 1fr 90px; align-items:center; gap:10px; height:24px; }
.track { position:relative; height:14px; background:#eaeef2; border-radius:3px; }
.bar { position:absolute; top:0; height:14px; min-width:2px; border-radius:3px; }
.axis { display:grid; grid-template-columns:90px 1fr 90px; gap:10px; color:var(--muted); font-size:12px; }
.axis span:nth-child(2) { display:flex; justify-content:space-between; }
.phase { border:1px solid var(--line); border-radius:6px; padding:4px 16px 12px; margin:16px 0; }
.phase > h2 { border:0; margin-top:12px; }
.diff { border:1px solid var(--line); border-radius:6px; overflow:auto; margin:6px 0 12px; background:#fff; }
.diff pre { margin:0; padding:6px 0; }
.diff span { display:block; padding:0 10px; white-space:pre; }
.d-add { background:#dafbe1; color:#116329; } .d-del { background:#ffebe9; color:#a40e26; }
.d-hunk { background:#ddf4ff; color:#0550ae; } .d-file { color:var(--muted); font-weight:600; }
pre.evidence { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:6px 10px; overflow:auto; margin:4px 0 10px; }
.muted { color:var(--muted); }
.failure { margin:6px 0; }
.class { font-weight:600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
details > summary { cursor:pointer; }
.glance { border:1px solid var(--line); border-radius:6px; padding:4px 14px; margin:8px 0 12px; }
.glance p { margin:8px 0 4px; } .glance ul { margin:0 0 6px; }
ul.failed .assertion { font-weight:600; }
</style>
</head>
<body>
<h1>orchestrate run <span class="mono">{{.RunID}}</span></h1>
<div class="outcome" id="outcome"><b>What happened:</b> <span class="badge s-{{.Status}}">{{.Status}}</span> {{.Outcome}}</div>
<section id="glance" class="glance">
{{with .Glance.Failed}}<p><b>What failed and why:</b></p>
<ul class="failed">{{range .}}<li>{{if .Test}}<code class="test">{{.Test}}</code>{{else}}{{.Phase}}{{end}}: <span class="assertion">{{code .Message}}</span> <span class="muted">({{.Class}}{{if .Where}}, at {{if inRun .Where}}<a href="{{.Where}}">{{.Where}}</a>{{else}}<code>{{.Where}}</code>{{end}}{{end}})</span>{{with .Evidence}}<pre class="evidence">{{range .}}{{.}}
{{end}}</pre>{{end}}</li>
{{end}}{{if $.Glance.More}}<li>and {{$.Glance.More}} more: see <a href="#failures">Failures</a></li>{{end}}</ul>{{end}}
<p><b>What the models did:</b>{{if not .Glance.AI}} nothing kept from a model{{end}}</p>
<ul>{{range .Glance.AI}}<li>{{code .}}</li>{{end}}<li>{{.Glance.Answers}}</li></ul>
<p><b>What it cost:</b> {{.Glance.Cost}}</p>
<p><b>Read more:</b> <a href="transcript.txt">what the terminal showed</a>, <a href="ai_chats/">the model conversations</a></p>
</section>
<ul class="meta">
<li>service <code>{{.Service}}</code></li>
<li>started {{when .StartedAt}}</li>
<li>phases {{secs .Total}} end to end</li>
<li>{{if .Offline}}offline: replayed recorded answers{{else}}live model calls{{end}}</li>
<li>trace <code>{{.TraceID}}</code></li>
<li>LLM {{.LLMLine}}</li>
</ul>

<h2 id="timeline">Timeline</h2>
<div class="timeline">
{{range .Rows}}<div class="trow"><a href="#phase-{{.Name}}">{{.Name}}</a><div class="track"><div class="bar s-{{.Status}}" style="left:{{pct .Left}};width:{{pct .Width}}" title="{{.Name}}: {{secs .Start}} + {{secs .Duration}}"></div></div><span class="mono">{{secs .Duration}}</span></div>
{{end}}<div class="axis"><span></span><span><span>0s</span><span>{{secs .Total}}</span></span><span></span></div>
</div>

<h2 id="phases">Phases</h2>
<table>
<tr><th>phase</th><th>status</th><th>duration</th><th>LLM calls</th><th>input hash</th><th>note</th></tr>
{{range .Rows}}<tr><td><a href="#phase-{{.Name}}">{{.Name}}</a></td><td><span class="badge s-{{.Status}}">{{.Status}}</span></td><td class="n">{{secs .Duration}}</td><td class="n">{{len .Calls}}</td><td class="mono">{{short .InputHash}}</td><td>{{code .Skip}}</td></tr>
{{end}}</table>

{{range .Rows}}
<section class="phase" id="phase-{{.Name}}">
<h2>{{.Name}} <span class="badge s-{{.Status}}">{{.Status}}</span> <span class="muted">{{secs .Duration}}</span></h2>
{{if .Skip}}<p class="muted">{{code .Skip}}</p>{{end}}
{{if .Dir}}<p class="muted">Files: <a href="{{.Dir}}/">{{.Dir}}/</a> (<a href="{{.Dir}}/input.json">input.json</a>, <a href="{{.Dir}}/output.json">output.json</a>, <a href="{{.Dir}}/logs/phase.log">logs/phase.log</a>)</p>{{end}}
{{with .Detail.Facts}}<ul class="facts">{{range .}}<li>{{code .}}</li>{{end}}</ul>{{end}}{{range .Detail.Figures}}<figure><img src="{{.Path}}" alt="{{.Title}}"><figcaption class="muted">{{.Title}}</figcaption></figure>{{end}}
{{with .Calls}}<h3>LLM calls</h3>
<table class="calls">
<tr><th>#</th><th>role</th><th>answered by</th><th>prompt</th><th>tokens in / out</th><th>cost</th><th>latency</th><th>cache</th><th>files</th></tr>
{{range .}}<tr><td class="n">{{.N}}</td><td>{{.Role}}</td><td>{{by .}}</td><td class="mono">{{.Prompt}}</td><td class="n">{{tok .}}</td><td class="n">{{usd .CostUSD}}</td><td class="n">{{.LatencyMS}}ms</td><td>{{cache .}}</td><td>{{if .PromptFile}}<a href="{{.PromptFile}}">prompt</a>{{end}}{{if .ResponseFile}} · <a href="{{.ResponseFile}}">response</a>{{end}}{{if .Chat}} · <a href="{{.Chat}}">chat</a>{{end}}</td></tr>
{{end}}</table>{{end}}
{{with .Detail.Iterations}}<h3>Test results per iteration</h3>
<table class="iterations">
<tr><th>iteration</th><th>suite</th><th>passed</th><th>failed</th><th>skipped</th><th>log</th></tr>
{{range $it := .}}{{range .Suites}}<tr><td class="n">{{$it.N}}</td><td>{{.Name}}</td>{{if .Ran}}<td class="n">{{.Passed}}</td><td class="n">{{.Failed}}</td><td class="n">{{.Skipped}}</td><td>{{if .Log}}<a href="{{.Log}}">{{.Log}}</a>{{end}}</td>{{else}}<td colspan="4" class="muted">not run: {{code .Why}}</td>{{end}}</tr>
{{end}}{{end}}</table>
{{range $it := .}}{{if .Verdict}}<p>Iteration {{.N}}: {{code .Verdict}}</p>{{end}}{{range .Failures}}<div class="failure">iteration {{$it.N}}: <span class="class">{{.Class}}</span> at <code>{{.Where}}</code>: {{code .Message}}{{with .Evidence}}<pre class="evidence">{{range .}}{{.}}
{{end}}</pre>{{end}}</div>{{end}}{{end}}{{end}}
{{range $i, $c := .Detail.Changes}}<h3 class="change">change {{inc $i}}: {{code .Title}} <span class="muted">({{.Status}})</span></h3>
<p>{{code .Reason}}{{if .Patch}} — patch <a href="{{.Patch}}">{{.Patch}}</a>{{end}}</p>
{{with index $.Diffs .Patch}}{{if .Lines}}<details{{if le (len .Lines) 60}} open{{end}}><summary>diff, {{len .Lines}} line(s){{if .Cut}} shown of {{add (len .Lines) .Cut}}{{end}}</summary><div class="diff"><pre>{{range .Lines}}<span class="d-{{.Kind}}">{{.Text}}</span>{{end}}</pre></div>{{if .Cut}}<p class="muted">{{.Cut}} more line(s) in the patch file.</p>{{end}}</details>{{end}}{{end}}
{{end}}</section>
{{end}}

<h2 id="failures">Failures</h2>
{{if not .Failures}}<p>None.</p>{{end}}
{{range .Failures}}<div class="failure"><span class="class">{{.Class}}</span> in <code>{{.Phase}}</code> <span class="muted">(owner: {{owner .Class}})</span>: {{code .Message}}{{if .Where}} — see {{if inRun .Where}}<a href="{{.Where}}">{{.Where}}</a>{{else}}<code>{{.Where}}</code>{{end}}{{end}}</div>
{{end}}

{{with .Notes}}<h2 id="notes">Notes</h2>
<p class="muted">Found and dealt with, or left for a human; none of these changed the run's status.</p>
{{range .}}<div class="failure"><span class="class">{{.Class}}</span> in <code>{{.Phase}}</code>: {{code .Message}}{{if .Where}} — see {{if inRun .Where}}<a href="{{.Where}}">{{.Where}}</a>{{else}}<code>{{.Where}}</code>{{end}}{{end}}</div>
{{end}}{{end}}

<h2 id="recommendations">Recommendations</h2>
{{if .Recs}}<ol>{{range .Recs}}<li>{{code .}}</li>{{end}}</ol>{{else}}<p>None: nothing in this run calls for action.</p>{{end}}

{{with .Tools}}<h2 id="tools">Tools</h2>
<table><tr><th>phase</th><th>tool</th><th>version</th><th>role</th><th>prompt</th></tr>
{{range .}}<tr><td>{{.Phase}}</td><td>{{.Tool}}</td><td>{{.Version}}</td><td>{{.Role}}</td><td>{{if .Prompt}}<a href="{{.Prompt}}">{{.Prompt}}</a>{{end}}</td></tr>
{{end}}</table>{{end}}
</body>
</html>
`

// codeSpans renders `code` spans of a line of Markdown as <code>, the rest
// escaped.
func codeSpans(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick: show the text as it is
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}
