package llm

// FilesAnswer is the answer of every role that writes code: whole files,
// never diffs. The orchestrator computes the diffs.
type FilesAnswer struct {
	Files []AnswerFile `json:"files" schema:"minItems=1"`
	Notes string       `json:"notes,omitempty"`
}

// AnswerFile is one whole file of an answer.
type AnswerFile struct {
	Path    string `json:"path" schema:"minLength=1"`
	Content string `json:"content" schema:"minLength=1"`
}

// FilesSchema is the JSON Schema of FilesAnswer.
var FilesSchema = SchemaOf[FilesAnswer]()
