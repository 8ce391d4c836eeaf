package report

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
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
	mdHeader(&b, v)
	mdGlance(&b, v.Glance)
	mdTimeline(&b, v.Rows)
	mdPhaseTable(&b, v)
	for _, r := range v.Rows {
		mdPhase(&b, v, r)
	}
	mdFailures(&b, v.Failures)
	mdNotes(&b, v.Notes)
	mdRecommendations(&b, v.Recs)
	mdTools(&b, v.Tools)
	return b.String()
}

// mdHeader is the title, the outcome and the run's particulars.
func mdHeader(b *strings.Builder, v view) {
	fmt.Fprintf(b, "# orchestrate run %s\n\n", v.RunID)
	fmt.Fprintf(b, "**Outcome:** %s\n\n", v.Outcome)
	fmt.Fprintf(b, "- service: `%s`\n- started: %s\n- phases took %.2fs end to end\n- offline replay: %v\n- trace id: `%s`\n\n",
		v.Service, v.StartedAt.UTC().Format(time.RFC3339), v.Total, v.Offline, v.TraceID)
}

// mdTimeline draws the phases as bars to scale in a text block.
func mdTimeline(b *strings.Builder, rows []phaseRow) {
	b.WriteString("## Timeline\n\n```text\n")
	const width = 48
	for _, r := range rows {
		left := int(r.Left*width/100 + 0.5)
		n := int(r.Width*width/100 + 0.5)
		// A phase that took any time gets a bar, however short.
		if n == 0 && r.Duration > 0 {
			n = 1
		}
		// Rounding must not push the last bar past the right edge.
		if left+n > width {
			left = width - n
		}
		fmt.Fprintf(b, "%-9s %s%s%s %7.2fs %s\n", r.Name, strings.Repeat(" ", left), strings.Repeat("█", n), strings.Repeat(" ", width-left-n), r.Duration, r.Status)
	}
	b.WriteString("```\n\n")
}

// mdPhaseTable is one line per phase, linking to its section, then the
// run's model use.
func mdPhaseTable(b *strings.Builder, v view) {
	b.WriteString("## Phases\n\n| phase | status | duration | LLM calls | input hash | note |\n| --- | --- | ---: | ---: | --- | --- |\n")
	for _, r := range v.Rows {
		h := ""
		if len(r.InputHash) > 12 {
			h = "`" + r.InputHash[:12] + "`"
		}
		fmt.Fprintf(b, "| [%s](#%s) | %s | %.2fs | %d | %s | %s |\n", r.Name, r.Name, r.Status, r.Duration, len(r.Calls), h, mdCell(r.Skip))
	}
	fmt.Fprintf(b, "\nLLM: %s.\n\n", v.LLMLine())
}

// mdFailures lists the run's failures with their owners; "None." when
// there were none, so the section is never empty.
func mdFailures(b *strings.Builder, failures []summary.Failure) {
	b.WriteString("## Failures\n\n")
	if len(failures) == 0 {
		b.WriteString("None.\n\n")
	}
	for _, f := range failures {
		fmt.Fprintf(b, "- **%s** in `%s` (owner: %s): %s", f.Class, f.Phase, failure.Owner(failure.Class(f.Class)), f.Message)
		if f.Where != "" {
			fmt.Fprintf(b, " — see %s", mdLink(f.Where))
		}
		b.WriteString("\n")
	}
	if len(failures) > 0 {
		b.WriteString("\n")
	}
}

// mdGlance is the first screen: what happened, what failed and why, what
// the models did, what it cost.
func mdGlance(b *strings.Builder, g glance) {
	b.WriteString("## At a glance\n\n")
	fmt.Fprintf(b, "- **What happened:** %s\n", g.Happened)
	if len(g.Failed) > 0 {
		b.WriteString("- **What failed and why:**\n")
		for _, f := range g.Failed {
			b.WriteString("  - ")
			if f.Test != "" {
				fmt.Fprintf(b, "`%s`: ", f.Test)
			} else {
				fmt.Fprintf(b, "%s: ", f.Phase)
			}
			fmt.Fprintf(b, "%s (%s", mdCell(f.Message), f.Class)
			if f.Where != "" {
				fmt.Fprintf(b, ", at %s", mdLink(f.Where))
			}
			b.WriteString(")\n")
			if len(f.Evidence) > 0 {
				fmt.Fprintf(b, "\n    ```text\n    %s\n    ```\n\n", strings.Join(f.Evidence, "\n    "))
			}
		}
		if g.More > 0 {
			fmt.Fprintf(b, "  - and %d more: see [Failures](#failures)\n", g.More)
		}
	}
	b.WriteString("- **What the models did:**")
	if len(g.AI) == 0 {
		b.WriteString(" nothing kept from a model")
	}
	b.WriteString("\n")
	for _, a := range g.AI {
		fmt.Fprintf(b, "  - %s\n", a)
	}
	fmt.Fprintf(b, "  - %s\n", g.Answers)
	fmt.Fprintf(b, "- **What it cost:** %s\n", g.Cost)
	b.WriteString("- **Read more:** [what the terminal showed](transcript.txt), [the model conversations](ai_chats/)\n\n")
}

// mdNotes lists what the run found and dealt with, or left for a human,
// without failing; nothing when there is none.
func mdNotes(b *strings.Builder, notes []summary.Failure) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("## Notes\n\nFound and dealt with, or left for a human; none of these changed the run's status.\n\n")
	for _, f := range notes {
		fmt.Fprintf(b, "- **%s** in `%s`: %s", f.Class, f.Phase, f.Message)
		if f.Where != "" {
			fmt.Fprintf(b, " — see %s", mdLink(f.Where))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func mdRecommendations(b *strings.Builder, recs []string) {
	b.WriteString("## Recommendations\n\n")
	if len(recs) == 0 {
		b.WriteString("None: nothing in this run calls for action.\n")
	}
	for _, r := range recs {
		fmt.Fprintf(b, "- %s\n", r)
	}
}

// mdTools is the tools and models each phase used; left out when none
// were recorded.
func mdTools(b *strings.Builder, tools []phase.ToolUse) {
	if len(tools) == 0 {
		return
	}
	b.WriteString("\n## Tools\n\n| phase | tool | version | role | prompt |\n| --- | --- | --- | --- | --- |\n")
	for _, t := range tools {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", t.Phase, t.Tool, t.Version, t.Role, mdLink(t.Prompt))
	}
}

// mdPhase is a phase's section: what it did, its model calls, its test
// iterations and its changes with their diffs.
func mdPhase(b *strings.Builder, v view, r phaseRow) {
	mdPhaseHeading(b, r)
	mdFacts(b, r.Detail.Facts)
	for _, f := range r.Detail.Figures {
		fmt.Fprintf(b, "![%s](%s)\n\n", f.Title, f.Path)
	}
	mdCalls(b, r.Calls)
	if len(r.Detail.Iterations) > 0 {
		mdSuites(b, r.Detail.Iterations)
		mdIterationFailures(b, r.Detail.Iterations)
	}
	for i, c := range r.Detail.Changes {
		mdChange(b, r.Name, i+1, c, v.Diffs[c.Patch])
	}
}

// mdPhaseHeading names the phase, its status and time, why it was skipped
// and where its files are.
func mdPhaseHeading(b *strings.Builder, r phaseRow) {
	fmt.Fprintf(b, "## %s\n\n**%s** in %.2fs", r.Name, r.Status, r.Duration)
	if r.Skip != "" {
		fmt.Fprintf(b, ": %s", r.Skip)
	}
	if r.Dir != "" {
		fmt.Fprintf(b, " — files in `%s/`", r.Dir)
	}
	b.WriteString("\n\n")
}

func mdFacts(b *strings.Builder, facts []string) {
	for _, f := range facts {
		fmt.Fprintf(b, "- %s\n", f)
	}
	if len(facts) > 0 {
		b.WriteString("\n")
	}
}

// mdCalls is a table of the phase's model exchanges, linking to the
// prompt and response kept for each.
func mdCalls(b *strings.Builder, calls []Call) {
	if len(calls) == 0 {
		return
	}
	b.WriteString("| # | role | answered by | prompt | tokens in / out | cost | latency | cache | files |\n| ---: | --- | --- | --- | ---: | ---: | ---: | --- | --- |\n")
	for _, c := range calls {
		files := []string{}
		if c.PromptFile != "" {
			files = append(files, fmt.Sprintf("[prompt](%s)", c.PromptFile))
		}
		if c.ResponseFile != "" {
			files = append(files, fmt.Sprintf("[response](%s)", c.ResponseFile))
		}
		if c.Chat != "" {
			files = append(files, fmt.Sprintf("[chat](%s)", c.Chat))
		}
		fmt.Fprintf(b, "| %d | %s | %s | `%s` | %s | $%.4f | %dms | %s | %s |\n", c.N, c.Role, answeredBy(c), c.Prompt,
			tokens(c), c.CostUSD, c.LatencyMS, cacheText(c), strings.Join(files, " · "))
	}
	b.WriteString("\n")
}

// mdSuites is a table of each iteration's suites: their counts and log,
// or why a suite did not run.
func mdSuites(b *strings.Builder, iterations []Iteration) {
	b.WriteString("| iteration | suite | passed | failed | skipped | log |\n| ---: | --- | ---: | ---: | ---: | --- |\n")
	for _, it := range iterations {
		for _, s := range it.Suites {
			if !s.Ran {
				fmt.Fprintf(b, "| %d | %s | — | — | — | not run: %s |\n", it.N, s.Name, mdCell(s.Why))
				continue
			}
			fmt.Fprintf(b, "| %d | %s | %d | %d | %d | %s |\n", it.N, s.Name, s.Passed, s.Failed, s.Skipped, mdLink(s.Log))
		}
	}
	b.WriteString("\n")
}

// mdIterationFailures is each iteration's verdict on the previous change
// and the failures it saw, with their evidence.
func mdIterationFailures(b *strings.Builder, iterations []Iteration) {
	for _, it := range iterations {
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

// mdChange is the n-th change a phase made or proposed: its title, status,
// reason and patch, then the diff when it was read.
func mdChange(b *strings.Builder, phaseName string, n int, c Change, d diff) {
	fmt.Fprintf(b, "### %s change %d: %s (%s)\n\n%s", phaseName, n, c.Title, c.Status, c.Reason)
	if c.Patch != "" {
		fmt.Fprintf(b, " — patch %s", mdLink(c.Patch))
	}
	b.WriteString("\n\n")
	mdDiff(b, d)
}

// mdDiff is a diff block, fenced so that backticks in the patch cannot
// close it, and a note of the lines left out; nothing for an empty diff.
func mdDiff(b *strings.Builder, d diff) {
	if len(d.Lines) == 0 {
		return
	}
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

// answeredBy names who answered a call, as recorded: a hand-written
// fixture is never passed off as the configured model's answer.
func answeredBy(c Call) string {
	configured := c.Provider + "/" + c.Model
	switch {
	case c.CacheHit && c.Source == "fixture":
		return "hand-written fixture (role configured for " + configured + ")"
	case c.CacheHit && c.AnsweredBy != "":
		return c.AnsweredBy + ", recorded (role configured for " + configured + ")"
	}
	return configured
}

// tokens are a call's token counts; a fixture's are estimated from its
// length, and say so.
func tokens(c Call) string {
	if c.Source == "fixture" {
		return fmt.Sprintf("~%d / ~%d (estimated)", c.PromptTokens, c.CompletionTokens)
	}
	return fmt.Sprintf("%d / %d", c.PromptTokens, c.CompletionTokens)
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
