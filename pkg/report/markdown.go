package report

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// Markdown renders report.md; runDir is where the patches are read from
// ("" to leave the diffs out).
func Markdown(in Input, recs []string, runDir string) string {
	return markdown(newView(in, recs, runDir))
}

// runFile is a path inside the run directory (<NN>-<phase>/…), which the
// report can link to; other locations (file:line in the workdir) are not.
var runFile = regexp.MustCompile(`^[0-9]{2}-[a-z]+/[^:]+$`)

func mdLink(p string) string {
	if p == "" {
		return ""
	}
	if runFile.MatchString(p) {
		return fmt.Sprintf("[`%s`](%s)", p, p)
	}
	return "`" + p + "`"
}

// mdCell makes text safe for a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func markdown(v view) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# orchestrate run %s\n\n", v.RunID)
	fmt.Fprintf(&b, "**Outcome:** %s\n\n", v.Outcome)
	fmt.Fprintf(&b, "- service: `%s`\n- started: %s\n- phases took %.2fs end to end\n- offline replay: %v\n- trace id: `%s`\n\n",
		v.Service, v.StartedAt.UTC().Format(time.RFC3339), v.Total, v.Offline, v.TraceID)

	b.WriteString("## Timeline\n\n```text\n")
	const width = 48
	for _, r := range v.Rows {
		left := int(r.Left*width/100 + 0.5)
		n := int(r.Width*width/100 + 0.5)
		if n == 0 && r.Duration > 0 {
			n = 1
		}
		if left+n > width {
			left = width - n
		}
		fmt.Fprintf(&b, "%-9s %s%s%s %7.2fs %s\n", r.Name, strings.Repeat(" ", left), strings.Repeat("█", n), strings.Repeat(" ", width-left-n), r.Duration, r.Status)
	}
	b.WriteString("```\n\n")

	b.WriteString("## Phases\n\n| phase | status | duration | LLM calls | input hash | note |\n| --- | --- | ---: | ---: | --- | --- |\n")
	for _, r := range v.Rows {
		h := ""
		if len(r.InputHash) > 12 {
			h = "`" + r.InputHash[:12] + "`"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %.2fs | %d | %s | %s |\n", r.Name, r.Name, r.Status, r.Duration, len(r.Calls), h, mdCell(r.Skip))
	}
	fmt.Fprintf(&b, "\nLLM: %s.\n\n", v.LLMLine())

	for _, r := range v.Rows {
		mdPhase(&b, v, r)
	}

	b.WriteString("## Failures\n\n")
	if len(v.Failures) == 0 {
		b.WriteString("None.\n\n")
	}
	for _, f := range v.Failures {
		fmt.Fprintf(&b, "- **%s** in `%s` (owner: %s): %s", f.Class, f.Phase, failure.Owner(failure.Class(f.Class)), f.Message)
		if f.Where != "" {
			fmt.Fprintf(&b, " — see %s", mdLink(f.Where))
		}
		b.WriteString("\n")
	}
	if len(v.Failures) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("## Recommendations\n\n")
	for _, r := range v.Recs {
		fmt.Fprintf(&b, "- %s\n", r)
	}
	if len(v.Tools) > 0 {
		b.WriteString("\n## Tools\n\n| phase | tool | version | role | prompt |\n| --- | --- | --- | --- | --- |\n")
		for _, t := range v.Tools {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", t.Phase, t.Tool, t.Version, t.Role, mdLink(t.Prompt))
		}
	}
	return b.String()
}

func mdPhase(b *strings.Builder, v view, r phaseRow) {
	fmt.Fprintf(b, "## %s\n\n**%s** in %.2fs", r.Name, r.Status, r.Duration)
	if r.Skip != "" {
		fmt.Fprintf(b, ": %s", r.Skip)
	}
	if r.Dir != "" {
		fmt.Fprintf(b, " — files in `%s/`", r.Dir)
	}
	b.WriteString("\n\n")
	for _, f := range r.Detail.Facts {
		fmt.Fprintf(b, "- %s\n", f)
	}
	if len(r.Detail.Facts) > 0 {
		b.WriteString("\n")
	}
	if len(r.Calls) > 0 {
		b.WriteString("| # | role | provider / model | prompt | tokens in / out | cost | latency | cache | files |\n| ---: | --- | --- | --- | ---: | ---: | ---: | --- | --- |\n")
		for _, c := range r.Calls {
			files := []string{}
			if c.PromptFile != "" {
				files = append(files, fmt.Sprintf("[prompt](%s)", c.PromptFile))
			}
			if c.ResponseFile != "" {
				files = append(files, fmt.Sprintf("[response](%s)", c.ResponseFile))
			}
			fmt.Fprintf(b, "| %d | %s | %s / %s | `%s` | %d / %d | $%.4f | %dms | %s | %s |\n", c.N, c.Role, c.Provider, c.Model, c.Prompt,
				c.PromptTokens, c.CompletionTokens, c.CostUSD, c.LatencyMS, cacheText(c), strings.Join(files, " · "))
		}
		b.WriteString("\n")
	}
	if len(r.Detail.Iterations) > 0 {
		b.WriteString("| iteration | suite | passed | failed | skipped | log |\n| ---: | --- | ---: | ---: | ---: | --- |\n")
		for _, it := range r.Detail.Iterations {
			for _, s := range it.Suites {
				if !s.Ran {
					fmt.Fprintf(b, "| %d | %s | — | — | — | not run: %s |\n", it.N, s.Name, mdCell(s.Why))
					continue
				}
				fmt.Fprintf(b, "| %d | %s | %d | %d | %d | %s |\n", it.N, s.Name, s.Passed, s.Failed, s.Skipped, mdLink(s.Log))
			}
		}
		b.WriteString("\n")
		for _, it := range r.Detail.Iterations {
			if it.Verdict != "" {
				fmt.Fprintf(b, "Iteration %d: %s\n\n", it.N, it.Verdict)
			}
			for _, f := range it.Failures {
				fmt.Fprintf(b, "- iteration %d, **%s** at `%s`: %s\n", it.N, f.Class, f.Where, f.Message)
				if len(f.Evidence) > 0 {
					fmt.Fprintf(b, "\n  ```text\n  %s\n  ```\n", strings.Join(f.Evidence, "\n  "))
				}
			}
		}
		b.WriteString("\n")
	}
	for i, c := range r.Detail.Changes {
		fmt.Fprintf(b, "### %s change %d: %s (%s)\n\n%s", r.Name, i+1, c.Title, c.Status, c.Reason)
		if c.Patch != "" {
			fmt.Fprintf(b, " — patch %s", mdLink(c.Patch))
		}
		b.WriteString("\n\n")
		if d, ok := v.Diffs[c.Patch]; ok && len(d.Lines) > 0 {
			text := make([]string, len(d.Lines))
			for i, l := range d.Lines {
				text[i] = l.Text
			}
			body := strings.Join(text, "\n")
			f := fence(body)
			fmt.Fprintf(b, "%sdiff\n%s\n%s\n", f, body, f)
			if d.Cut > 0 {
				fmt.Fprintf(b, "\n_%d more line(s) in the patch file._\n", d.Cut)
			}
			b.WriteString("\n")
		}
	}
}

func cacheText(c Call) string {
	switch {
	case c.Error != "":
		return "error: " + mdCell(c.Error)
	case c.CacheHit && c.Source != "":
		return "hit (" + c.Source + ")"
	case c.CacheHit:
		return "hit"
	}
	return "miss"
}

// fence is a code fence longer than any run of backticks in body.
func fence(body string) string {
	most, run := 0, 0
	for _, r := range body {
		if r == '`' {
			run++
			most = max(most, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, most+1))
}
