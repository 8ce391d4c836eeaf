package llm

import "encoding/json"

// FilesAnswer is the answer of every role that writes code: whole files,
// never diffs. The orchestrator computes the diffs.
type FilesAnswer struct {
	Files []AnswerFile `json:"files"`
	Notes string       `json:"notes,omitempty"`
}

// AnswerFile is one whole file of an answer.
type AnswerFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// FilesSchema is the JSON Schema of FilesAnswer.
var FilesSchema = json.RawMessage(`{
  "type": "object",
  "required": ["files"],
  "properties": {
    "files": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "required": ["path", "content"],
        "properties": {
          "path": {"type": "string", "minLength": 1},
          "content": {"type": "string", "minLength": 1}
        }
      }
    },
    "notes": {"type": "string"}
  }
}`)
