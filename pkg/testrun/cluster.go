package testrun

import (
	"regexp"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Cluster is a group of failures that likely share one root: the model is
// asked about them once, with all their evidence, and one change may fix
// them all.
type Cluster struct {
	Key      string           `json:"key"`
	Why      string           `json:"why"` // what the failures share
	Failures []triage.Failure `json:"failures"`
}

// Signatures are the cluster's targets: a change made for it is judged by
// whether these are gone.
func (c Cluster) Signatures() []string {
	var out []string
	for _, f := range c.Failures {
		out = append(out, f.Signature)
	}
	sort.Strings(out)
	return out
}

// First is the failure that stands for the cluster in one-line messages.
func (c Cluster) First() triage.Failure { return c.Failures[0] }

// buildBreaking classes stop a whole package from building.
func buildBreaking(c failure.Class) bool {
	switch c {
	case failure.CompileError, failure.ImportError, failure.MissingDependency, failure.VetFailure:
		return true
	}
	return false
}

var (
	numberRe = regexp.MustCompile(`\d+(\.\d+)?`)
	quotedRe = regexp.MustCompile(`"[^"]*"|'[^']*'|` + "`[^`]*`")
)

// pattern is a message with its values taken out: two assertions that
// differ only in the numbers and strings they print share it.
func pattern(msg string) string {
	msg = quotedRe.ReplaceAllString(msg, `"_"`)
	return numberRe.ReplaceAllString(msg, "N")
}

// clusterKeys are the roots a failure may share with others, strongest
// first: one build of one package, one test function (its subtests), one
// assertion site, one file with one message pattern.
func clusterKeys(f triage.Failure) []string {
	var keys []string
	if buildBreaking(f.Class) {
		keys = append(keys, "build:"+f.Package)
		return keys
	}
	if f.Test != "" {
		keys = append(keys, "test:"+f.Package+"/"+strings.SplitN(f.Test, "/", 2)[0])
	}
	if f.File != "" && f.Line > 0 {
		keys = append(keys, "site:"+f.Where())
	}
	if f.File != "" && f.Message != "" {
		keys = append(keys, "pattern:"+f.File+"|"+pattern(f.Message))
	}
	if len(keys) == 0 {
		keys = append(keys, "sig:"+f.Signature)
	}
	return keys
}

// clusterWhy says in words what a key means.
func clusterWhy(key string, n int) string {
	kind, rest, _ := strings.Cut(key, ":")
	if n == 1 {
		return "one failure"
	}
	switch kind {
	case "build":
		return "the package does not build: every failure in it has one cause"
	case "test":
		return "subtests of one test function " + rest[strings.LastIndex(rest, "/")+1:]
	case "site":
		return "one assertion site " + rest
	case "pattern":
		return "one file and one message pattern"
	}
	return "the same signature"
}

// clusterFailures groups failures that share a root (union-find over the
// keys above) and orders the clusters by what to fix first: builds, then
// panics, then unit tests, then end-to-end tests; within that, the order
// the failures came in.
func clusterFailures(fs []triage.Failure) []Cluster {
	parent := make([]int, len(fs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	keyOf := map[int]string{} // the strongest key that joined a root
	for i, f := range fs {
		for _, k := range clusterKeys(f) {
			if j, ok := owner[k]; ok {
				ri, rj := find(i), find(j)
				if ri != rj {
					parent[ri] = rj
					if _, set := keyOf[rj]; !set {
						keyOf[rj] = k
					}
				}
				continue
			}
			owner[k] = i
		}
	}
	groups := map[int]*Cluster{}
	var order []int
	for i, f := range fs {
		r := find(i)
		c, ok := groups[r]
		if !ok {
			c = &Cluster{}
			groups[r] = c
			order = append(order, r)
		}
		c.Failures = append(c.Failures, f)
	}
	out := make([]Cluster, 0, len(order))
	for _, r := range order {
		c := groups[r]
		k := keyOf[r]
		if k == "" {
			k = clusterKeys(c.Failures[0])[0]
		}
		c.Key, c.Why = k, clusterWhy(k, len(c.Failures))
		out = append(out, *c)
	}
	sort.SliceStable(out, func(i, j int) bool { return priority(out[i].First()) < priority(out[j].First()) })
	return out
}

func priority(f triage.Failure) int {
	switch {
	case buildBreaking(f.Class):
		return 0
	case f.Class == failure.Panic:
		return 1
	case strings.Contains(f.File, "/e2e/") || f.Class == failure.ServiceUnreachable:
		return 3
	}
	return 2
}

// severity ranks a set of failures: a package that does not build is
// worse than a panic, which is worse than any number of failing tests.
func severity(fs []triage.Failure) int {
	s := 0
	for _, f := range fs {
		switch {
		case buildBreaking(f.Class):
			return 2
		case f.Class == failure.Panic || f.Class == failure.ContainerExited || f.Class == failure.HealthcheckFailed:
			s = 1
		}
	}
	return s
}
