package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Key is the endpoint's ServeMux pattern, "POST /v1/things".
func (e Endpoint) Key() string { return e.Method + " " + e.Path }

// PromptExamples renders endpoints for a prompt that must follow their
// examples: each endpoint's pattern and description, then one line per
// example with the request and the answer it must get. Empty parts (no
// query, no body, no response) are left out; bodies and responses are
// compact JSON, as they travel.
func PromptExamples(eps []Endpoint) (string, error) {
	var b strings.Builder
	for i, e := range eps {
		if i > 0 {
			b.WriteString("\n")
		}
		writeHead(&b, e)
		if len(e.Examples) > 0 {
			b.WriteString("  Examples (request -> status, then a subset of the JSON answer):\n")
		}
		for _, x := range e.Examples {
			line, err := exampleLine(x)
			if err != nil {
				return "", err
			}
			b.WriteString("  - " + line + "\n")
		}
	}
	return b.String(), nil
}

// PromptCoverage renders endpoints for a prompt that only needs to know
// which cases the examples already cover: the pattern, the description
// and each example's name and status.
func PromptCoverage(eps []Endpoint) string {
	var b strings.Builder
	for i, e := range eps {
		if i > 0 {
			b.WriteString("\n")
		}
		writeHead(&b, e)
		if len(e.Examples) == 0 {
			continue
		}
		var xs []string
		for _, x := range e.Examples {
			xs = append(xs, fmt.Sprintf("%s (%d)", x.Name, x.Status))
		}
		b.WriteString("  Covered by the acceptance tests: " + strings.Join(xs, ", ") + "\n")
	}
	return b.String()
}

func writeHead(b *strings.Builder, e Endpoint) {
	b.WriteString(e.Key() + "\n")
	for _, l := range strings.Split(strings.TrimSpace(e.Description), "\n") {
		b.WriteString(strings.TrimRight("  "+l, " ") + "\n")
	}
}

func exampleLine(x Example) (string, error) {
	line := x.Name + ":"
	if len(x.Query) > 0 {
		q := url.Values{}
		for k, v := range x.Query {
			q.Set(k, v)
		}
		line += " query ?" + q.Encode()
	}
	body, err := Compact(x.Body)
	switch {
	case err != nil:
		return "", fmt.Errorf("example %s: body: %w", x.Name, err)
	case body != "":
		line += " body " + body
	case len(x.Query) == 0:
		line += " no body"
	}
	line += fmt.Sprintf(" -> %d", x.Status)
	want, err := Compact(x.Response)
	if err != nil {
		return "", fmt.Errorf("example %s: response: %w", x.Name, err)
	}
	if want != "" {
		line += " " + want
	}
	return line, nil
}

// Compact encodes a YAML-decoded value as JSON with sorted keys and no
// HTML escaping; nil is "".
func Compact(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonable(v)); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// jsonable turns YAML's map[any]any, if any, into map[string]any.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = jsonable(x)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonable(x)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = jsonable(x)
		}
		return out
	}
	return v
}
