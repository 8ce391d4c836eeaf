package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// SchemaOf returns the JSON Schema of an answer type T, generated from its
// fields, so a schema cannot drift from the struct it is decoded into:
//
//   - a struct is an object with a property per JSON field, in field
//     order; a field is required unless it is omitempty or its schema tag
//     says optional;
//   - a slice is an array (nullable: also null) of its element's schema;
//   - string, bool, integers and floats are string, boolean, integer and
//     number.
//
// Constraints come from a `schema` tag, comma-separated: optional,
// nullable, minLength=N, minItems=N, minimum=X, maximum=X.
//
// The schema's compact bytes are part of every cached answer's key
// (llm.Key): a change to an answer struct or its tags changes the keys of
// the answers recorded for it, which must then be recorded again. Each
// answer type's test pins its schema for that reason.
//
// SchemaOf panics on a type it cannot describe (a map, an interface): a
// programming error that every answer type's test would show.
func SchemaOf[T any](opts ...SchemaOption) json.RawMessage {
	var v T
	return SchemaFor(reflect.TypeOf(v), opts...)
}

// SchemaFor is SchemaOf for a type known at run time: a phase's result
// in the summary schema.
func SchemaFor(t reflect.Type, opts ...SchemaOption) json.RawMessage {
	g := &generator{defs: map[reflect.Type]string{}}
	for _, o := range opts {
		o(g)
	}
	if g.useDefs {
		g.countUses(t, map[reflect.Type]int{})
	}
	s := g.describe(t, tagOpts{}, true)
	if len(g.defOrder) > 0 {
		defs := object{}
		for _, dt := range g.defOrder {
			defs.put(g.defs[dt], g.describe(dt, tagOpts{}, true))
		}
		s.put("$defs", defs)
	}
	var b bytes.Buffer
	if err := s.write(&b, ""); err != nil {
		panic(fmt.Sprintf("llm.SchemaOf[%s]: %v", t, err))
	}
	return b.Bytes()
}

// SchemaOption changes how SchemaOf describes a type.
type SchemaOption func(*generator)

// Closed adds "additionalProperties": false to every object: an answer
// with a property its struct lacks is refused.
func Closed() SchemaOption { return func(g *generator) { g.closed = true } }

// Defs describes a struct type used by more than one field once, under
// "$defs" (named after the type, lower-cased), and refers to it.
func Defs() SchemaOption { return func(g *generator) { g.useDefs = true } }

type generator struct {
	closed, useDefs bool
	defs            map[reflect.Type]string // struct types described under $defs
	defOrder        []reflect.Type
}

// countUses finds the struct types more than one field uses.
func (g *generator) countUses(t reflect.Type, seen map[reflect.Type]int) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		ft := t.Field(i).Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct {
			continue
		}
		if seen[ft]++; seen[ft] == 2 {
			g.defs[ft] = strings.ToLower(ft.Name())
			g.defOrder = append(g.defOrder, ft)
		}
		g.countUses(ft, seen)
	}
}

// tagOpts is a field's schema tag.
type tagOpts struct {
	optional, nullable bool
	minLength          string
	minItems           string
	minimum, maximum   string
}

func parseTag(tag string) tagOpts {
	var o tagOpts
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "":
		case "optional":
			o.optional = true
		case "nullable":
			o.nullable = true
		case "minLength":
			o.minLength = v
		case "minItems":
			o.minItems = v
		case "minimum":
			o.minimum = v
		case "maximum":
			o.maximum = v
		default:
			panic(fmt.Sprintf("llm.SchemaOf: unknown schema tag option %q", k))
		}
	}
	return o
}

// describe is the schema of t with a field's constraints, its keys in the
// order type, additionalProperties, bounds, items, required, properties.
// A struct described under $defs is referred to, unless top (its own
// definition).
func (g *generator) describe(t reflect.Type, o tagOpts, top bool) object {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if name, ok := g.defs[t]; ok && !top {
		return object{{"$ref", "#/$defs/" + name}}
	}
	var s object
	typ := func(name string) {
		if o.nullable {
			s.put("type", []string{name, "null"})
		} else {
			s.put("type", name)
		}
	}
	switch t.Kind() {
	case reflect.String:
		typ("string")
		s.number("minLength", o.minLength)
	case reflect.Bool:
		typ("boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		typ("integer")
		s.number("minimum", o.minimum)
		s.number("maximum", o.maximum)
	case reflect.Float32, reflect.Float64:
		typ("number")
		s.number("minimum", o.minimum)
		s.number("maximum", o.maximum)
	case reflect.Slice, reflect.Array:
		typ("array")
		s.number("minItems", o.minItems)
		s.put("items", g.describe(t.Elem(), tagOpts{}, false))
	case reflect.Struct:
		typ("object")
		if g.closed {
			s.put("additionalProperties", false)
		}
		required, props := []string{}, object{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, jopts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fo := parseTag(f.Tag.Get("schema"))
			if !fo.optional && !strings.Contains(jopts, "omitempty") {
				required = append(required, name)
			}
			props.put(name, g.describe(f.Type, fo, false))
		}
		if len(required) > 0 {
			s.put("required", required)
		}
		s.put("properties", props)
	default:
		panic(fmt.Sprintf("llm.SchemaOf: cannot describe a %s", t))
	}
	return s
}

// scalar writes a value that is not an object: a list of strings with a
// space after each comma.
func scalar(b *bytes.Buffer, v any) error {
	if list, ok := v.([]string); ok {
		b.WriteByte('[')
		for i, s := range list {
			if i > 0 {
				b.WriteString(", ")
			}
			q, _ := json.Marshal(s)
			b.Write(q)
		}
		b.WriteByte(']')
		return nil
	}
	j, err := json.Marshal(v)
	b.Write(j)
	return err
}

// object is a JSON object that keeps its keys in the order they were put.
type object []member

type member struct {
	key string
	val any
}

func (o *object) put(k string, v any) { *o = append(*o, member{k, v}) }

// number puts a numeric bound given as text (from a tag) when it is set.
func (o *object) number(k, v string) {
	if v != "" {
		o.put(k, json.Number(v))
	}
}

// write writes the members in order, for a reader (the schema is part of
// every prompt): an object holding only scalars and lists of them on one
// line, any other one member per line.
func (o object) write(b *bytes.Buffer, indent string) error {
	flat := true
	for _, m := range o {
		if _, ok := m.val.(object); ok {
			flat = false
		}
	}
	b.WriteByte('{')
	for i, m := range o {
		switch {
		case i > 0 && flat:
			b.WriteString(", ")
		case i > 0:
			b.WriteString(",")
		}
		if !flat {
			b.WriteString("\n" + indent + "  ")
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteString(": ")
		if sub, ok := m.val.(object); ok {
			if err := sub.write(b, indent+"  "); err != nil {
				return err
			}
			continue
		}
		if err := scalar(b, m.val); err != nil {
			return fmt.Errorf("%s: %w", m.key, err)
		}
	}
	if !flat {
		b.WriteString("\n" + indent)
	}
	b.WriteByte('}')
	return nil
}
