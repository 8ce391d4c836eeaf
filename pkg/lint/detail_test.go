package lint

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The fixer role's recorded answers are keyed by these bytes: a change to
// FixAnswer or its tags means recording them again.
func TestFixSchemaIsPinned(t *testing.T) {
	var b bytes.Buffer
	if err := json.Compact(&b, FixSchema); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","required":["edits","reason"],"properties":{"edits":{"type":"array","items":{"type":"object","required":["path","old","new"],"properties":{"path":{"type":"string","minLength":1},"old":{"type":"string","minLength":1},"new":{"type":"string"}}}},"reason":{"type":"string"},"safe":{"type":"string"},"needs_human":{"type":"boolean"}}}`
	if b.String() != want {
		t.Errorf("the schema changed:\n got %s\nwant %s", b.String(), want)
	}
}
