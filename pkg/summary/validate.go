package summary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
)

func schema() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
		if err != nil {
			compileErr = fmt.Errorf("summary schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource("summary.schema.json", doc); err != nil {
			compileErr = fmt.Errorf("summary schema: %w", err)
			return
		}
		compiled, compileErr = c.Compile("summary.schema.json")
	})
	return compiled, compileErr
}

// Validate checks a summary document against the schema.
func Validate(doc []byte) error {
	sch, err := schema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("summary is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("summary does not match its schema: %w", err)
	}
	return nil
}

// ValidateValue encodes s and validates it.
func ValidateValue(s *Summary) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return Validate(b)
}
