package testrun

import (
	"context"
	"fmt"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// The loop is a state machine over the tree's failures:
//
//	run ─► judge the pending change (keep | revert) ─► stop? ─► propose ─► run …
//
// A kept change moves the tree on; a reverted one puts it back, and the
// next untried cluster of the same failures is proposed without running
// again (the tree is what the last run tested). It stops when every test
// passes (passed, flaky-only), when the changes allowed are used
// (iteration-limit), when a kept change leads back to failures the tree
// had before or the model proposes a reverted change again (stuck), when
// no cluster is left to try (no-fix), when the model fails or its
// budget is spent (llm-error, budget), or when an offline run has no
// recorded answer for the question (no-recorded-answer).
func (l *loop) run(ctx context.Context) error {
	var cur []triage.Failure // the failures of the tree as it is
	var pending *Remediation
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			l.stop(StopInterrupt, "the run was cancelled")
			return err
		}
		it, err := l.iteration(ctx, n)
		if err != nil {
			return err
		}
		kept := false
		if pending != nil {
			if kept, err = l.settle(&it, pending, cur); err != nil {
				return err
			}
			pending = nil
		}
		if kept || n == 1 {
			cur = it.Failures
		}
		l.found(it.Failures)
		l.out.Iterations = append(l.out.Iterations, it)
		fmt.Fprintf(l.env.Log, "iteration %d: %d failure(s) %s\n", n, len(it.Failures), it.Verdict)
		if l.done(cur, kept) {
			return nil
		}
		l.seen[sigSet(cur)] = true
		if pending, err = l.remediate(ctx, n, cur); err != nil {
			return err
		}
		if pending == nil {
			if l.out.Stop == "" {
				l.stop(StopNoFix, "no fix could be tried for the failures left; the proposals are kept for a human")
			}
			return nil
		}
	}
}

// settle judges the pending change by the new run: kept, or reverted with
// the reason. It says whether it was kept.
func (l *loop) settle(it *Iteration, r *Remediation, before []triage.Failure) (bool, error) {
	v := judge(before, it.Failures, r.targets)
	i := l.index(r.N)
	if i < 0 {
		return false, fmt.Errorf("testrun: remediation %d was never recorded", r.N)
	}
	rec := &l.out.Remediations[i]
	rec.Verdict, rec.Failures[1] = &v, len(it.Failures)
	if v.Keep {
		l.txn.Keep(&rec.Record, v.Why)
		it.Verdict = fmt.Sprintf("remediation %d kept: %s", r.N, v.Why)
		l.event(map[string]any{"decision": "keep-remediation", "n": r.N, "verdict": v})
		return true, nil
	}
	it.Verdict = fmt.Sprintf("remediation %d reverted: %s", r.N, v.Why)
	if err := l.txn.Revert(&rec.Record, r.set, v.Why); err != nil {
		return false, err
	}
	l.reverted[r.key] = true
	if r.Redeployed {
		l.stale = true
	}
	fmt.Fprintf(l.env.Log, "remediation %d reverted: %s\n", r.N, v.Why)
	l.event(map[string]any{"decision": "revert-remediation", "n": r.N, "verdict": v})
	return false, nil
}

func (l *loop) index(n int) int {
	for i, r := range l.out.Remediations {
		if r.N == n {
			return i
		}
	}
	return -1
}

// done decides the stops that need no proposal.
func (l *loop) done(cur []triage.Failure, kept bool) bool {
	switch {
	case len(cur) == 0 && len(l.out.Flaky) > 0:
		l.stop(StopFlaky, fmt.Sprintf("every failure was flaky (%d): reported, nothing edited", len(l.out.Flaky)))
	case len(cur) == 0:
		l.stop(StopPassed, "every test passed")
	case kept && l.seen[sigSet(cur)]:
		l.stop(StopStuck, "a kept change led back to failures the tree had before: "+sigSet(cur))
	case l.changes() >= l.in.MaxIterations:
		l.stop(StopLimit, fmt.Sprintf("%d change(s) tried, the limit (phases.test.max_iterations) is %d", l.changes(), l.in.MaxIterations))
	default:
		return false
	}
	return true
}

// changes counts the changes applied and judged.
func (l *loop) changes() int {
	n := 0
	for _, r := range l.out.Remediations {
		if r.Status == Applied || r.Status == Reverted {
			n++
		}
	}
	return n
}

func (l *loop) stop(reason, detail string) {
	l.out.Stop, l.out.StopDetail = reason, detail
	fmt.Fprintf(l.env.Log, "stop: %s: %s\n", reason, strings.TrimSpace(detail))
	l.event(map[string]any{"decision": "stop", "reason": reason, "detail": detail})
}
