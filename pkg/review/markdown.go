package review

import (
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Verdict is the gate's word: "pass" or "needs approval".
func (r Result) Verdict() string {
	if r.Decision.Escalate {
		return "needs approval"
	}
	return "pass"
}

// Markdown is the review as a reviewer reads it: the verdict and why,
// what to approve, the findings, the model's view.
func Markdown(r Result, runID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Review: %s\n\n", strings.ToUpper(r.Verdict()))
	fmt.Fprintf(&b, "Change against %s: %d file(s), +%d -%d lines, sha256 `%s`.\n\n", r.Base, len(r.Files), r.Added, r.Removed, short(r.ChangeSHA256))
	if r.Decision.Escalate {
		b.WriteString("A human must approve this change before it is deployed, because:\n\n")
		for _, why := range r.Decision.Reasons {
			fmt.Fprintf(&b, "- %s\n", why)
		}
		if runID != "" {
			fmt.Fprintf(&b, "\nTo approve it: `orchestrate approve %s --reason \"…\"`, then `orchestrate run --resume %s`.\n", runID, runID)
		}
		b.WriteString("\n")
	}
	writeFindings(&b, r.Findings)
	writeModel(&b, r.Model)
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "- note: %s\n", p)
	}
	return b.String()
}

func writeFindings(b *strings.Builder, fs []Finding) {
	if len(fs) == 0 {
		b.WriteString("Deterministic checks (gitleaks, gosec, constructs, the spec's API): nothing found on the added lines.\n\n")
		return
	}
	b.WriteString("| severity | where | check | rule | finding |\n| --- | --- | --- | --- | --- |\n")
	for _, f := range fs {
		fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, f.Where(), f.Check, f.Rule, cell(f.Message))
	}
	b.WriteString("\n")
}

func writeModel(b *strings.Builder, m Model) {
	if !m.Ran {
		fmt.Fprintf(b, "**The model review did not run.** %s\n\n", m.Why)
		return
	}
	a := m.Answer
	fmt.Fprintf(b, "Model review (%d question(s)): risk %.1f/10, confidence %.2f, auto-approvable %v.\n\n%s\n\n", m.Parts, a.RiskScore, a.Confidence, a.AutoApprovable, a.Rationale)
	for _, l := range []struct {
		name  string
		items []Item
	}{{"security", a.SecurityFindings}, {"performance", a.PerformanceConcerns}, {"coverage gap", a.CoverageGaps}, {"breaking", a.BreakingChanges}, {"evidence", a.Evidence}} {
		for _, it := range l.items {
			fmt.Fprintf(b, "- %s `%s:%d`: %s\n", l.name, it.File, it.Line, it.Note)
		}
	}
	b.WriteString("\n")
}

func cell(s string) string { return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s) }

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Detail is what the report shows of the phase.
func (o Output) Detail() phase.Detail {
	r := o.Result
	d := phase.Detail{Phase: Name}
	d.Facts = append(d.Facts, fmt.Sprintf("reviewed the change against %s: %d file(s), +%d -%d lines (sha256 %s): %s", r.Base, len(r.Files), r.Added, r.Removed, short(r.ChangeSHA256), strings.ToUpper(r.Verdict())))
	d.Facts = append(d.Facts, fmt.Sprintf("deterministic checks: %d finding(s) on added lines, %d high", len(r.Findings), r.high()))
	if r.Model.Ran {
		a := r.Model.Answer
		d.Facts = append(d.Facts, fmt.Sprintf("model review in %d part(s) within phases.review.prompt_bytes: risk %.1f/10, confidence %.2f: %s", r.Model.Parts, a.RiskScore, a.Confidence, a.Rationale))
	} else {
		d.Facts = append(d.Facts, "the model review did not run: "+r.Model.Why)
	}
	for _, why := range r.Decision.Reasons {
		d.Facts = append(d.Facts, "needs approval: "+why)
	}
	if o.Report != "" {
		d.Changes = append(d.Changes, phase.Change{Title: "the change reviewed", Status: r.Verdict(), Reason: "the review: " + o.Report, Patch: o.Patch})
	}
	return d
}

func (r Result) high() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == High {
			n++
		}
	}
	return n
}

// Annotations are GitHub's workflow commands for the findings and the
// model's items on the diff's lines: errors when the gate escalates.
func Annotations(r Result) []string {
	level := "warning"
	if r.Decision.Escalate {
		level = "error"
	}
	var out []string
	for _, f := range r.Findings {
		lv := level
		if f.Severity != High {
			lv = "notice"
		}
		out = append(out, annotation(lv, f.File, f.Line, "review: "+f.Check+" "+f.Rule, f.Message))
	}
	if r.Model.Ran {
		items := r.Model.Answer.Items()
		for _, list := range []string{"security_findings", "performance_concerns", "coverage_gaps", "breaking_changes"} {
			for _, it := range items[list] {
				out = append(out, annotation("warning", it.File, it.Line, "review: "+list, it.Note))
			}
		}
	}
	return out
}

func annotation(level, file string, line int, title, msg string) string {
	props := "file=" + escProp(file)
	if line > 0 {
		props += fmt.Sprintf(",line=%d", line)
	}
	props += ",title=" + escProp(title)
	return fmt.Sprintf("::%s %s::%s", level, props, strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(msg))
}

func escProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
