package testrun

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The triage role's recorded answers are keyed by these bytes: a change to
// Answer or its tags means recording them again.
func TestAnswerSchemaIsPinned(t *testing.T) {
	var b bytes.Buffer
	if err := json.Compact(&b, AnswerSchema); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","required":["class","root_cause","confidence","edits"],"properties":{"class":{"type":"string"},"root_cause":{"type":"string"},"confidence":{"type":"number","minimum":0,"maximum":1},"test_is_wrong":{"type":"boolean"},"needs_human":{"type":"boolean"},"need":{"type":["array","null"],"items":{"type":"string"}},"edits":{"type":["array","null"],"items":{"type":"object","required":["path","old","new"],"properties":{"path":{"type":"string"},"old":{"type":"string"},"new":{"type":"string"}}}}}}`
	if b.String() != want {
		t.Errorf("the schema changed:\n got %s\nwant %s", b.String(), want)
	}
}
