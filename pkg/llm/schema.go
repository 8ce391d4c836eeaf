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
func SchemaOf[T any]() json.RawMessage {
	var v T
	var b bytes.Buffer
	if err := describe(reflect.TypeOf(v), tagOpts{}).write(&b, ""); err != nil {
		panic(fmt.Sprintf("llm.SchemaOf[%T]: %v", v, err))
	}
	return b.Bytes()
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
// order type, bounds, items, required, properties.
func describe(t reflect.Type, o tagOpts) object {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
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
		s.put("items", describe(t.Elem(), tagOpts{}))
	case reflect.Struct:
		typ("object")
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
			props.put(name, describe(f.Type, fo))
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
