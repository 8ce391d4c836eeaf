package review

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// PreviousSpec is the service spec in file (relative to dir) at rev, for
// comparing the API. ok is false when git has no such file there: a new
// spec breaks nothing.
func PreviousSpec(ctx context.Context, dir, rev, file string) (spec.Service, bool, error) {
	b, err := Git(ctx, dir, "show", rev+":./"+file)
	if err != nil {
		return spec.Service{}, false, nil
	}
	var doc struct {
		Service spec.Service `yaml:"service"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return spec.Service{}, false, fmt.Errorf("the previous %s (%s) does not parse: %w", file, rev, err)
	}
	return doc.Service, true, nil
}

// Breaking compares the API a spec promises with the previous version's:
// an endpoint, a status or a response field removed, or a field's type
// changed, breaks clients. Each is a high finding on the spec file.
func Breaking(old, cur spec.Service, file string) []Finding {
	var out []Finding
	add := func(rule, msg string) {
		out = append(out, Finding{Check: "breaking", Rule: rule, Severity: High, File: file, Tool: "orchestrate", Message: msg})
	}
	now := map[string]spec.Endpoint{}
	for _, e := range cur.Endpoints {
		now[e.Method+" "+e.Path] = e
	}
	for _, e := range old.Endpoints {
		key := e.Method + " " + e.Path
		n, ok := now[key]
		if !ok {
			add("endpoint-removed", fmt.Sprintf("endpoint %s was removed: its clients will get 404/405", key))
			continue
		}
		for _, st := range missing(statuses(e), statuses(n)) {
			add("status-removed", fmt.Sprintf("%s no longer answers %d: clients handling it break", key, st))
		}
		was, is := fields(e), fields(n)
		for _, name := range sortedKeys(was) {
			kind, ok := is[name]
			switch {
			case !ok:
				add("field-removed", fmt.Sprintf("%s: response field %q was removed", key, name))
			case kind != was[name]:
				add("field-changed", fmt.Sprintf("%s: response field %q changed from %s to %s", key, name, was[name], kind))
			}
		}
	}
	return out
}

func statuses(e spec.Endpoint) map[int]bool {
	m := map[int]bool{}
	for _, x := range e.Examples {
		m[x.Status] = true
	}
	return m
}

func missing(was, is map[int]bool) []int {
	var out []int
	for s := range was {
		if !is[s] {
			out = append(out, s)
		}
	}
	sort.Ints(out)
	return out
}

// fields are the top-level fields of an endpoint's example responses and
// the JSON kind of each.
func fields(e spec.Endpoint) map[string]string {
	m := map[string]string{}
	for _, x := range e.Examples {
		obj, ok := x.Response.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range obj {
			m[k] = kindOf(v)
		}
	}
	return m
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int64, float64, uint64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return reflect.TypeOf(v).Kind().String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
