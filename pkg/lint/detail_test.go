package lint

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/llm"
)

func TestFixSchemaFitsItsStruct(t *testing.T) {
	if err := llm.CheckSchema(FixSchema, FixAnswer{}); err != nil {
		t.Error(err)
	}
}
