package llm

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// compact is s without insignificant white space.
func compact(t *testing.T, s []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return b.String()
}

func TestFilesSchemaIsPinned(t *testing.T) {
	// Every recorded answer of the codegen and testgen roles is keyed by
	// these bytes: a change means recording them again.
	if got, want := compact(t, FilesSchema), `{"type":"object","required":["files"],"properties":{"files":{"type":"array","minItems":1,"items":{"type":"object","required":["path","content"],"properties":{"path":{"type":"string","minLength":1},"content":{"type":"string","minLength":1}}}},"notes":{"type":"string"}}}`; got != want {
		t.Errorf("the schema changed, and with it the key of every answer recorded for it:\n got %s\nwant %s", got, want)
	}
}

func TestSchemaOfFollowsTheStruct(t *testing.T) {
	type inner struct {
		N int `json:"n" schema:"minimum=1,maximum=9"`
	}
	type answer struct {
		Name     string   `json:"name" schema:"minLength=2"`
		Maybe    bool     `json:"maybe" schema:"optional"`
		Omitted  string   `json:"omitted,omitempty"`
		List     []inner  `json:"list" schema:"nullable,minItems=1"`
		Ratio    float64  `json:"ratio"`
		Ptr      *string  `json:"ptr,omitempty"`
		Untagged string   //nolint
		Skipped  string   `json:"-"`
		Words    []string `json:"words,omitempty"`
		hidden   string
	}
	_ = answer{}.hidden
	got := compact(t, SchemaOf[answer]())
	want := `{"type":"object","required":["name","list","ratio","Untagged"],"properties":{` +
		`"name":{"type":"string","minLength":2},"maybe":{"type":"boolean"},"omitted":{"type":"string"},` +
		`"list":{"type":["array","null"],"minItems":1,"items":{"type":"object","required":["n"],"properties":{"n":{"type":"integer","minimum":1,"maximum":9}}}},` +
		`"ratio":{"type":"number"},"ptr":{"type":"string"},"Untagged":{"type":"string"},"words":{"type":"array","items":{"type":"string"}}}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSchemaOfValidatesWhatItDescribes(t *testing.T) {
	for _, c := range []struct {
		answer string
		ok     bool
	}{
		{`{"files":[{"path":"a.go","content":"package a"}]}`, true},
		{`{"files":[]}`, false},
		{`{"files":[{"path":"","content":"x"}]}`, false},
		{`{"notes":"no files"}`, false},
	} {
		var a FilesAnswer
		err := decode(c.answer, FilesSchema, &a)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.answer, err, c.ok)
		}
	}
}

func TestSchemaOfRefusesWhatItCannotDescribe(t *testing.T) {
	for name, f := range map[string]func(){
		"map":       func() { SchemaOf[struct{ M map[string]int }]() },
		"interface": func() { SchemaOf[struct{ A any }]() },
		"bad option": func() {
			SchemaOf[struct {
				S string `schema:"maxLength=3"`
			}]()
		},
		"bad number": func() {
			SchemaOf[struct {
				S string `schema:"minLength=x"`
			}]()
		},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "SchemaOf") {
					t.Errorf("%s: recovered %v, want a SchemaOf panic", name, r)
				}
			}()
			f()
		}()
	}
}

func TestSchemaOfClosedWithDefs(t *testing.T) {
	type place struct {
		File string `json:"file"`
		Line int    `json:"line" schema:"minimum=1"`
	}
	type answer struct {
		Risk  []place `json:"risk"`
		Other []place `json:"other"`
		Where place   `json:"where"`
	}
	got := compact(t, SchemaOf[answer](Closed(), Defs()))
	want := `{"type":"object","additionalProperties":false,"required":["risk","other","where"],"properties":{` +
		`"risk":{"type":"array","items":{"$ref":"#/$defs/place"}},"other":{"type":"array","items":{"$ref":"#/$defs/place"}},"where":{"$ref":"#/$defs/place"}},` +
		`"$defs":{"place":{"type":"object","additionalProperties":false,"required":["file","line"],"properties":{"file":{"type":"string"},"line":{"type":"integer","minimum":1}}}}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var a answer
	if err := decode(`{"risk":[],"other":[],"where":{"file":"a.go","line":0}}`, SchemaOf[answer](Closed(), Defs()), &a); err == nil {
		t.Error("a line below the minimum of a referenced definition passed")
	}
	if err := decode(`{"risk":[],"other":[],"where":{"file":"a.go","line":1},"extra":1}`, SchemaOf[answer](Closed(), Defs()), &a); err == nil {
		t.Error("a property the struct lacks passed a closed schema")
	}
}
