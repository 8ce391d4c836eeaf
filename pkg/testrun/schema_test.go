package testrun

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

func TestAnswerSchemaFitsItsStruct(t *testing.T) {
	if err := llm.CheckSchema(AnswerSchema, Answer{}); err != nil {
		t.Error(err)
	}
}
