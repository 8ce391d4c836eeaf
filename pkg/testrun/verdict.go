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
// targets. Counts do not decide: a change is kept when its targets went
// away (all of them, or some with nothing else touched), nothing new
// appeared and nothing got worse. A change that mends a build may reveal
// test failures the build hid; that is progress, not a regression.
func judge(before, after []triage.Failure, targets []string) Verdict {
	was, now := sigs(before), sigs(after)
	var v Verdict
	for _, t := range targets {
		if now[t] {
			v.Left = append(v.Left, t)
		} else {
			v.Gone = append(v.Gone, t)
		}
	}
	for s := range now {
		if !was[s] {
			v.New = append(v.New, s)
		}
	}
	sort.Strings(v.New)
	sb, sa := severity(before), severity(after)
	v.Worse = sa > sb
	v.Unmasks = sa < sb && len(v.Left) == 0
	switch {
	case len(v.Gone) == 0:
		v.Why = fmt.Sprintf("its target failure(s) are still there: %s", strings.Join(v.Left, " ; "))
	case v.Worse:
		v.Why = fmt.Sprintf("it made things worse: %s", strings.Join(v.New, " ; "))
	case v.Unmasks:
		v.Keep = true
		v.Why = fmt.Sprintf("the build failure is gone; %d failure(s) it hid now show", len(v.New))
	case len(v.New) > 0:
		v.Why = fmt.Sprintf("it brought %d new failure(s): %s", len(v.New), strings.Join(v.New, " ; "))
	case len(v.Left) > 0:
		v.Keep = true
		v.Why = fmt.Sprintf("%d of %d target failure(s) gone, nothing new", len(v.Gone), len(targets))
	default:
		v.Keep = true
		v.Why = fmt.Sprintf("its %d target failure(s) are gone, nothing new", len(v.Gone))
	}
	return v
}

func sigs(fs []triage.Failure) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Signature] = true
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
