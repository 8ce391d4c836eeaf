package lint

import (
	"bytes"
	"go/format"
	"os"

	"golang.org/x/tools/imports"
)

// prepass finds the files gofmt or goimports would change. They run before
// the analyzers' own fixes: an unused or missing import is a compile
// error, and analyzers that need types do not run on a package that does
// not type-check.
func prepass(dir, workdir string) ([]Finding, error) {
	files, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, abs := range files {
		src, err := os.ReadFile(abs)
		if err != nil {
			return nil, err
		}
		whole := func(to []byte) []byteEdits {
			return []byteEdits{{abs: abs, edits: []byteEdit{{start: 0, end: len(src), text: to}}}}
		}
		formatted, ferr := format.Source(src)
		if ferr != nil {
			continue // a syntax error: the compiler's finding says where
		}
		fixed, ierr := imports.Process(abs, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
		if ierr == nil && !bytes.Equal(fixed, formatted) {
			out = append(out, Finding{Analyzer: "goimports", Source: "goimports", File: rel(workdir, abs), Line: 1, Column: 1,
				Message: "imports are missing or unused", Fixable: true, abs: abs, edits: whole(fixed)})
		}
		if !bytes.Equal(formatted, src) {
			out = append(out, Finding{Analyzer: "gofmt", Source: "gofmt", File: rel(workdir, abs), Line: 1, Column: 1,
				Message: "file is not gofmt-formatted", Fixable: true, abs: abs, edits: whole(formatted)})
		}
	}
	return out, nil
}
