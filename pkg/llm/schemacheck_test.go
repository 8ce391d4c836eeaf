package llm

import "testing"

func TestFilesSchemaFitsItsStruct(t *testing.T) {
	if err := CheckSchema(FilesSchema, FilesAnswer{}); err != nil {
		t.Error(err)
	}
	if err := CheckSchema(FilesSchema, struct {
		Files []AnswerFile `json:"files"`
		Extra string       `json:"extra"`
	}{}); err == nil {
		t.Error("a field the schema lacks went unnoticed")
	}
}
