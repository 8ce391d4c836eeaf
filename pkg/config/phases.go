package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Section is a phase's part of the config, owned by the phase package
// like a goreleaser pipe's Default: its typed value under phases.<Key>,
// the defaults that value starts from, its checks and the model roles the
// phase asks. The config package knows no phase: a new phase brings its
// section along and reads it back with Get.
type Section struct {
	// Name is the phase's; Get and Set find the value by it.
	Name string
	// Key is where the file holds the section, under phases:; two phases
	// may share one (the release phase reads phases.deploy.strategy), each
	// with the keys it knows. Empty: the phase has no keys.
	Key string
	// Default is the section's typed value (a struct, not a pointer)
	// before the file, the environment and the flags.
	Default any
	// Check checks the section's values (nil: none to check).
	Check func(*Config) error
	// Roles are the llm.roles the phase asks.
	Roles []string
}

// SectionOf is a Section whose value is a T.
func SectionOf[T any](name, key string, def T, check func(*Config) error, roles ...string) Section {
	return Section{Name: name, Key: key, Default: def, Check: check, Roles: roles}
}

// Phases holds the phases' sections, by phase name, as the sections the
// Loader was given define them.
type Phases struct {
	secs []Section
	vals map[string]any
	// partial: the sections are some of the phases' (a phase's own tests
	// load the repository's config with their section alone): keys and
	// roles of the others are not checked.
	partial bool
}

// Get is phase name's section: the file's values over the phase's
// defaults. A section the config was not built with is T's zero value.
func Get[T any](c *Config, name string) T {
	v, _ := c.Phases.vals[name].(T)
	return v
}

// Set replaces phase name's section. The Phases are copied first, so a
// Config copied before keeps its own.
func Set[T any](c *Config, name string, v T) {
	vals := maps.Clone(c.Phases.vals)
	if vals == nil {
		vals = map[string]any{}
	}
	vals[name] = v
	c.Phases.vals = vals
}

// Value is the value of a dotted key under phases (phases.scaffold.force)
// whichever phase owns it: how a phase reads a setting of another phase's
// section without importing it. ok is false when no section has the key.
func Value[V any](c *Config, key string) (v V, ok bool) {
	parts := strings.Split(key, ".")
	if len(parts) < 3 || parts[0] != "phases" {
		return v, false
	}
	for _, s := range c.Phases.secs {
		if s.Key != parts[1] {
			continue
		}
		f := reflect.ValueOf(c.Phases.vals[s.Name])
		for _, name := range parts[2:] {
			f = fieldByTag(f, name)
		}
		if f.IsValid() {
			v, ok = f.Interface().(V)
			return v, ok
		}
	}
	return v, false
}

func fieldByTag(v reflect.Value, name string) reflect.Value {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	for i := 0; i < v.NumField(); i++ {
		if tagName(v.Type().Field(i)) == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func tagName(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("yaml"), ",")[0]
}

// newPhases holds the sections' defaults.
func newPhases(sections []Section) Phases {
	p := Phases{vals: map[string]any{}}
	for _, s := range sections {
		if s.Default == nil {
			continue
		}
		p.secs = append(p.secs, s)
		p.vals[s.Name] = s.Default
	}
	return p
}

// keyed are the sections held under key, in pipeline order.
func (p Phases) keyed(key string) []Section {
	var out []Section
	for _, s := range p.secs {
		if s.Key == key && s.Key != "" {
			out = append(out, s)
		}
	}
	return out
}

// keys are the phases: keys, in pipeline order, once each.
func (p Phases) keys() []string {
	var out []string
	for _, s := range p.secs {
		if s.Key != "" && !slices.Contains(out, s.Key) {
			out = append(out, s.Key)
		}
	}
	return out
}

// roles are the llm.roles the phases ask.
func (p Phases) roles() []string {
	var out []string
	for _, s := range p.secs {
		out = append(out, s.Roles...)
	}
	return out
}

// UnmarshalYAML decodes phases: from the file, strictly: a key no section
// knows is an error with its line, as anywhere else in the file.
func (p *Phases) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &KeyError{Line: n.Line, Key: "phases", Msg: "wrong type: not a mapping"}
	}
	vals := maps.Clone(p.vals)
	var typeErrs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		secs := p.keyed(k.Value)
		if len(secs) == 0 && p.partial {
			continue
		}
		if len(secs) == 0 {
			return &KeyError{Line: k.Line, Key: "phases." + k.Value, Msg: fmt.Sprintf("unknown key %q: the phases with settings are %s", k.Value, strings.Join(p.keys(), ", "))}
		}
		var types []reflect.Type
		for _, s := range secs {
			types = append(types, reflect.TypeOf(s.Default))
		}
		if err := unknownKeys(v, types, "phases."+k.Value); err != nil {
			return err
		}
		for _, s := range secs {
			ptr := reflect.New(reflect.TypeOf(s.Default))
			ptr.Elem().Set(reflect.ValueOf(vals[s.Name]))
			if err := v.Decode(ptr.Interface()); err != nil {
				var te *yaml.TypeError
				if !asTypeError(err, &te) {
					return err
				}
				typeErrs = append(typeErrs, te.Errors...)
				continue
			}
			vals[s.Name] = ptr.Elem().Interface()
		}
	}
	p.vals = vals
	if len(typeErrs) > 0 {
		return &yaml.TypeError{Errors: typeErrs}
	}
	return nil
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	*te = t
	return ok
}

var durationType = reflect.TypeOf(time.Duration(0))

// unknownKeys finds the first key under n that none of types has, with its
// line. Maps take any key; lists are checked element by element.
func unknownKeys(n *yaml.Node, types []reflect.Type, path string) error {
	var structs, elems []reflect.Type
	for _, t := range types {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map:
			return nil
		case reflect.Struct:
			if t != durationType && t != reflect.TypeOf(time.Time{}) {
				structs = append(structs, t)
			}
		case reflect.Slice:
			elems = append(elems, t.Elem())
		}
	}
	switch {
	case n.Kind == yaml.MappingNode && len(structs) > 0:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			var inner []reflect.Type
			for _, t := range structs {
				for j := 0; j < t.NumField(); j++ {
					if tagName(t.Field(j)) == k.Value {
						inner = append(inner, t.Field(j).Type)
					}
				}
			}
			if len(inner) == 0 {
				return &KeyError{Line: k.Line, Key: path + "." + k.Value, Msg: fmt.Sprintf("unknown key %q (see `orchestrate config` for the keys there are)", k.Value)}
			}
			if err := unknownKeys(n.Content[i+1], inner, path+"."+k.Value); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && len(elems) > 0:
		for i, c := range n.Content {
			if err := unknownKeys(c, elems, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// MarshalJSON writes the sections under their keys, in pipeline order;
// sections sharing a key are merged.
func (p Phases) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, key := range p.keys() {
		merged := map[string]json.RawMessage{}
		var order []string
		for _, s := range p.keyed(key) {
			raw, err := json.Marshal(p.vals[s.Name])
			if err != nil {
				return nil, err
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("phases.%s: %w", key, err)
			}
			for _, f := range jsonFields(reflect.TypeOf(p.vals[s.Name])) {
				v, ok := m[f]
				if !ok {
					continue
				}
				if _, seen := merged[f]; !seen {
					order = append(order, f)
				}
				merged[f] = v
			}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteString(":{")
		for j, f := range order {
			if j > 0 {
				b.WriteByte(',')
			}
			fk, _ := json.Marshal(f)
			b.Write(fk)
			b.WriteByte(':')
			b.Write(merged[f])
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonFields are a struct's JSON names, in field order.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; t.Kind() == reflect.Struct && i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// MarshalYAML writes the sections under their keys, in pipeline order;
// sections sharing a key are merged.
func (p Phases) MarshalYAML() (any, error) {
	out := &yaml.Node{Kind: yaml.MappingNode}
	for _, key := range p.keys() {
		merged := &yaml.Node{Kind: yaml.MappingNode}
		seen := map[string]bool{}
		for _, s := range p.keyed(key) {
			var n yaml.Node
			if err := n.Encode(p.vals[s.Name]); err != nil {
				return nil, fmt.Errorf("phases.%s: %w", key, err)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if !seen[n.Content[i].Value] {
					seen[n.Content[i].Value] = true
					merged.Content = append(merged.Content, n.Content[i], n.Content[i+1])
				}
			}
		}
		out.Content = append(out.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, merged)
	}
	return out, nil
}

// Section is phase name's value, untyped (for hashing); nil when the
// config has no section of that name.
func (p Phases) Section(name string) any { return p.vals[name] }
