package llm

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// CheckSchema says where an answer's JSON Schema and the struct it is
// decoded into disagree: a property the struct lacks, a field the schema
// lacks, a required property that is omitempty. The schemas are literals
// on purpose (their bytes are part of every cached answer's key, and one
// generated from the structs would differ from them); this keeps them from
// drifting from their structs.
func CheckSchema(schema json.RawMessage, v any) error {
	var s struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		return err
	}
	fields := map[string]bool{} // json name -> omitempty
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		fields[name] = strings.Contains(opts, "omitempty")
	}
	var bad []string
	for p := range s.Properties {
		if _, ok := fields[p]; !ok {
			bad = append(bad, fmt.Sprintf("the schema has %q, %s has no such field", p, t.Name()))
		}
	}
	for f := range fields {
		if _, ok := s.Properties[f]; !ok {
			bad = append(bad, fmt.Sprintf("%s.%s is not in the schema", t.Name(), f))
		}
	}
	for _, r := range s.Required {
		if fields[r] {
			bad = append(bad, fmt.Sprintf("%q is required but omitempty in %s", r, t.Name()))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}
