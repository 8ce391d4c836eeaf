package testrun

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Verdict is what the re-run says of a change.
type Verdict struct {
	Keep    bool     `json:"keep"`
	Gone    []string `json:"gone,omitempty"`    // target signatures that went away
	Left    []string `json:"left,omitempty"`    // target signatures still there
	New     []string `json:"new,omitempty"`     // signatures the change brought
	Worse   bool     `json:"worse,omitempty"`   // a build failure or panic where there was none
	Unmasks bool     `json:"unmasks,omitempty"` // the build was fixed: the tests it hid may fail now
	Why     string   `json:"why"`
}

// judge compares the failures before and after a change made for the
// targets. Counts do not decide, and neither does a message alone: a
// failure is its test (or, for a build, its signature), so a test that
// was failing and still fails with other numbers is neither gone nor new.
// A change is kept when its targets went away (all of them, or some with
// nothing else touched), no test that passed before fails now, and nothing
// got worse. A change that mends a build may reveal test failures the
// build hid; that is progress, not a regression.
func judge(before, after, targets []triage.Failure) Verdict {
	was, now := ids(before), ids(after)
	var v Verdict
	for _, t := range targets {
		if now[identity(t)] != "" {
			v.Left = append(v.Left, t.Signature)
		} else {
			v.Gone = append(v.Gone, t.Signature)
		}
	}
	for id, sig := range now {
		if was[id] == "" {
			v.New = append(v.New, sig)
		}
	}
	sort.Strings(v.New)
	sb, sa := severity(before), severity(after)
	v.Worse = sa > sb
	v.Unmasks = sa < sb && len(v.Left) == 0
	v.Keep, v.Why = decide(v, len(targets))
	return v
}

func decide(v Verdict, targets int) (bool, string) {
	switch {
	case len(v.Gone) == 0:
		return false, fmt.Sprintf("its target failure(s) are still there: %s", strings.Join(v.Left, " ; "))
	case v.Worse:
		return false, fmt.Sprintf("it made things worse: %s", strings.Join(v.New, " ; "))
	case v.Unmasks:
		return true, fmt.Sprintf("its %d target failure(s) are gone, and with them what kept tests from running (a build failure or a panic); %d failure(s) they hid now show", len(v.Gone), len(v.New))
	case len(v.New) > 0:
		return false, fmt.Sprintf("it brought %d new failure(s): %s", len(v.New), strings.Join(v.New, " ; "))
	case len(v.Left) > 0:
		return true, fmt.Sprintf("%d of %d target failure(s) gone, nothing new", len(v.Gone), targets)
	}
	return true, fmt.Sprintf("its %d target failure(s) are gone, nothing new", len(v.Gone))
}

// identity is what a failure is: its test, or for a failure that is no
// test's (a build, a redeploy), its signature.
func identity(f triage.Failure) string {
	if f.Test != "" {
		return "test:" + f.Package + "\x00" + f.Test
	}
	return "sig:" + f.Signature
}

// ids maps each failure's identity to its signature.
func ids(fs []triage.Failure) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		m[identity(f)] = f.Signature
	}
	return m
}

func sigSet(fs []triage.Failure) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Signature)
	}
	sort.Strings(s)
	return strings.Join(s, " ; ")
}
