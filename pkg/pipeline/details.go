package pipeline

import (
	"fmt"
	"path"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/deploy"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// The report's view of each phase's Output: what it did, the changes it
// made with their reasons, and (the test phase) each iteration's results.

// reportCall is one model exchange as the report shows it.
func reportCall(phaseName string, x llm.Exchange) report.Call {
	c := report.Call{Phase: phaseName, N: x.N, Role: x.Role, Provider: x.Provider, Model: x.Model, Prompt: x.Prompt,
		PromptTokens: x.Tokens[0], CompletionTokens: x.Tokens[1], CostUSD: x.CostUSD, LatencyMS: x.LatencyMS,
		CacheHit: x.CacheHit, Error: x.Error}
	if x.Provenance != nil {
		c.Source = x.Provenance.Source
	}
	if len(x.Files) > 0 {
		c.PromptFile = x.Files[0]
	}
	if len(x.Files) > 1 {
		c.ResponseFile = x.Files[1]
	}
	return c
}

func (s *State) details() []report.Detail {
	var out []report.Detail
	if s.Scaffold != nil {
		out = append(out, scaffoldDetail(*s.Scaffold))
	}
	if s.Testgen != nil {
		out = append(out, testgenDetail(*s.Testgen))
	}
	if s.Lint != nil {
		out = append(out, lintDetail(*s.Lint))
	}
	if s.Deploy != nil {
		out = append(out, deployDetail(*s.Deploy))
	}
	if s.Test != nil {
		out = append(out, testDetail(*s.Test))
	}
	return out
}

// fileCounts says how many files were created, updated, left unchanged…
func fileCounts(files []workspace.Change) string {
	n := map[string]int{}
	for _, f := range files {
		n[f.Status]++
	}
	var parts []string
	for _, st := range []string{workspace.Created, workspace.Updated, workspace.Unchanged, workspace.Kept, workspace.Forced, workspace.Removed} {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, ", ")
}

func patchChanges(patches []string, reason func(i int, p string) (title, why string)) []report.Change {
	var out []report.Change
	for i, p := range patches {
		title, why := reason(i, p)
		out = append(out, report.Change{Title: title, Status: "applied", Reason: why, Patch: p})
	}
	return out
}

func scaffoldDetail(o scaffold.Output) report.Detail {
	d := report.Detail{Phase: phase.Scaffold}
	d.Facts = append(d.Facts, fmt.Sprintf("%d file(s) in `%s/` from the templates and the codegen role: %s", len(o.Files), o.Dir, fileCounts(o.Files)))
	build := fmt.Sprintf("compile check: ok after %d attempt(s)", o.Build.Attempts)
	if !o.Build.OK {
		build = fmt.Sprintf("compile check: failed after %d attempt(s); compiler output in %s", o.Build.Attempts, strings.Join(o.Build.Logs, ", "))
	}
	d.Facts = append(d.Facts, build)
	for _, h := range o.HandEdited {
		d.Facts = append(d.Facts, fmt.Sprintf("`%s` was edited by hand: kept, the generated version is beside it", h))
	}
	for _, r := range o.Refused {
		d.Facts = append(d.Facts, fmt.Sprintf("refused to write `%s`: %s", r.Path, r.Reason))
	}
	if o.Notes != "" {
		d.Facts = append(d.Facts, "the model's design notes: "+o.Notes)
	}
	d.Changes = patchChanges(o.Patches, func(i int, p string) (string, string) {
		if strings.Contains(path.Base(p), "repair") {
			return "compile repair", "the first answer did not compile; the codegen role was asked again with the compiler's output"
		}
		return "generated service code", "the codegen role's answer, written over what the service directory held before"
	})
	return d
}

func testgenDetail(o testgen.Output) report.Detail {
	d := report.Detail{Phase: phase.Testgen}
	d.Facts = append(d.Facts, fmt.Sprintf("acceptance tests: %d example(s) from the spec in `%s/` (%s), compiled: %v", o.Acceptance.Examples, o.Acceptance.Dir, fileCounts(o.Acceptance.Files), o.Acceptance.Compiled))
	u := o.Unit
	if !u.Enabled {
		d.Facts = append(d.Facts, "unit tests: not generated (phases.testgen.unit is off)")
	} else {
		c := u.Counts
		d.Facts = append(d.Facts, fmt.Sprintf("unit tests from the testgen role: %d generated, %d compiled, %d passed, %d kept, %d dropped, %d file(s) repaired", c.Generated, c.Compiled, c.Passed, c.Kept, c.Dropped, c.Repaired))
		if u.CoverageBefore != nil && u.CoverageAfter != nil {
			d.Facts = append(d.Facts, fmt.Sprintf("statement coverage of the service: %.1f%% without them, %.1f%% with them", *u.CoverageBefore, *u.CoverageAfter))
		}
		for _, x := range u.Dropped {
			d.Facts = append(d.Facts, fmt.Sprintf("dropped %s in %s (%s): see %s", x.Test, x.File, x.Reason, x.Output))
		}
		for _, r := range u.Refused {
			d.Facts = append(d.Facts, fmt.Sprintf("refused to write `%s`: %s", r.Path, r.Reason))
		}
	}
	for _, h := range o.HandEdited {
		d.Facts = append(d.Facts, fmt.Sprintf("`%s` was edited by hand: kept", h))
	}
	d.Changes = patchChanges(o.Patches, func(int, string) (string, string) {
		return "generated tests", "tests written by the phase; unit tests only where they compiled and passed against the service"
	})
	return d
}

func lintDetail(o lint.Output) report.Detail {
	d := report.Detail{Phase: phase.Lint}
	d.Facts = append(d.Facts, fmt.Sprintf("%d analyzer(s) plus goimports and gofmt; findings %d before, %d after; %d fix(es) kept, %d not kept",
		len(o.Analyzers), o.Before.Findings, o.After.Findings, len(o.Fixes), len(o.Rejected)))
	for _, m := range o.Modules {
		ok := "builds and its tests compile"
		if !m.Build.OK {
			ok = "does not build: see " + m.Build.Log
		}
		d.Facts = append(d.Facts, fmt.Sprintf("`%s`: %d finding(s) before, %d after; %s", m.Dir, m.Before.Findings, m.After.Findings, ok))
	}
	if o.Evidence.FindingsAfter != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("findings: %s, %s", o.Evidence.FindingsBefore, o.Evidence.FindingsAfter))
	}
	if o.ModelErr != "" {
		d.Facts = append(d.Facts, "the fixer role failed: "+o.ModelErr)
	}
	for _, f := range append(append([]lint.Fix(nil), o.Fixes...), o.Rejected...) {
		why := f.Safe
		if f.Status != lint.Applied {
			why = f.Reason
		}
		if why == "" {
			why = "fixes " + f.Finding.String()
		} else {
			why = "fixes " + f.Finding.String() + ": " + why
		}
		d.Changes = append(d.Changes, report.Change{Title: fmt.Sprintf("%s (%s) on %s", f.Fixer, f.Kind, strings.Join(f.Files, ", ")),
			Status: f.Status, Reason: why, Patch: f.Patch})
	}
	return d
}

func deployDetail(o deploy.Output) report.Detail {
	d := report.Detail{Phase: phase.Deploy}
	d.Facts = append(d.Facts, fmt.Sprintf("Docker %s (API %s) at %s", o.Engine.Version, o.Engine.API, o.Engine.Host))
	if o.Image.Tag != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("image `%s`, %.1f MB, FROM scratch around the static binary: binary %.2fs, image %.2fs (log %s)",
			o.Image.Tag, float64(o.Image.SizeBytes)/1e6, o.Timings.BinarySeconds, o.Timings.ImageSeconds, o.Image.Log))
	}
	for _, sv := range o.Services {
		var ports []string
		for _, p := range sv.Ports {
			ports = append(ports, fmt.Sprintf("%d→%d", p.Host, p.Target))
		}
		d.Facts = append(d.Facts, fmt.Sprintf("service `%s`: %s, ports %s, logs %s", sv.Name, sv.Health, strings.Join(ports, " "), sv.Log))
	}
	if o.URL != "" {
		d.Facts = append(d.Facts, fmt.Sprintf("started in %.2fs, healthy after %.2fs more, at %s on network `%s`", o.Timings.StartSeconds, o.Timings.HealthSeconds, o.URL, o.Network))
	}
	if o.Kept {
		d.Facts = append(d.Facts, "left running (--keep): `orchestrate down RUN-ID` removes it")
	}
	return d
}

func testDetail(o testrun.Output) report.Detail {
	d := report.Detail{Phase: phase.Test}
	d.Facts = append(d.Facts, fmt.Sprintf("%d iteration(s); stopped: %s (%s); final %d passed, %d failed, %d skipped",
		len(o.Iterations), o.Stop, o.StopDetail, o.Final.Passed, o.Final.Failed, o.Final.Skipped))
	if in := o.Inject; in != nil {
		d.Facts = append(d.Facts, fmt.Sprintf("planted fault %s (--inject, seed %d) at %s: %s; expected class %s, the classifier found %s; workdir restored at the end: %v",
			in.Fault, in.Seed, orDash(in.Site), in.What, in.Expected, orDash(strings.Join(in.Found, ", ")), in.Restored))
		d.Changes = append(d.Changes, report.Change{Title: "injected fault " + in.Fault, Status: "planted", Reason: in.What, Patch: in.Patch})
	}
	if len(o.QuestionCapHit) > 0 {
		d.Facts = append(d.Facts, fmt.Sprintf("clusters were left unasked in iteration(s) %v: phases.test.max_questions was reached", o.QuestionCapHit))
	}
	for _, f := range o.Flaky {
		d.Facts = append(d.Facts, fmt.Sprintf("flaky: %s failed, then passed alone (re-run log %s); reported, not edited", f.Test, f.Rerun))
	}
	for _, it := range o.Iterations {
		ri := report.Iteration{N: it.N, Verdict: it.Verdict, Suites: []report.SuiteResult{suite("unit", it.Unit), suite("e2e", it.E2E)}}
		for _, f := range it.Failures {
			ri.Failures = append(ri.Failures, report.FailureDetail{Class: string(f.Class), Where: f.Where(), Message: f.Message, Evidence: f.Evidence})
		}
		d.Iterations = append(d.Iterations, ri)
	}
	for _, r := range o.Remediations {
		why := r.RootCause
		if r.Reason != "" {
			why += " — " + r.Reason
		}
		title := fmt.Sprintf("iteration %d, %s fix by %s for %s", r.Iteration, r.Kind, r.Fixer, r.Failure.Where())
		if len(r.Targets) > 1 {
			title += fmt.Sprintf(" and %d more (%s)", len(r.Targets)-1, r.Cluster)
		}
		if r.Confidence > 0 {
			title += fmt.Sprintf(" (confidence %.2f)", r.Confidence)
		}
		d.Changes = append(d.Changes, report.Change{Title: title, Status: r.Status, Reason: strings.TrimPrefix(why, " — "), Patch: r.Patch})
	}
	return d
}

func suite(name string, s testrun.Suite) report.SuiteResult {
	return report.SuiteResult{Name: name, Ran: s.Ran, Why: s.Why, Passed: s.Counts.Passed, Failed: s.Counts.Failed, Skipped: s.Counts.Skipped, Log: s.Log}
}
