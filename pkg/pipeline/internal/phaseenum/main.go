// Command phaseenum writes what the summary schema knows of the pipeline
// (go generate ./pkg/pipeline): the phase names, in order, into the enum
// of phase names, and each phase's own result (phases[].result) as its
// type describes it. So the order lives once, in pipeline.Phases, and a
// new phase's result touches only its package.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
)

var (
	enum    = regexp.MustCompile(`("name": \{ "enum": )\[[^\]]*\]`)
	results = regexp.MustCompile(`(?s)"allOf": \[.*?\n        \]`)
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: phaseenum SCHEMA.json")
		os.Exit(2)
	}
	path := os.Args[1]
	b, err := os.ReadFile(path)
	if err == nil {
		b, err = generate(b)
	}
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "phaseenum: %s: %v\n", path, err)
		os.Exit(1)
	}
}

func generate(b []byte) ([]byte, error) {
	if n := len(enum.FindAll(b, -1)); n != 1 {
		return nil, fmt.Errorf("%d enums of phase names, want 1", n)
	}
	if n := len(results.FindAll(b, -1)); n != 1 {
		return nil, fmt.Errorf("%d allOf lists of phase results, want 1", n)
	}
	names, _ := json.Marshal(pipeline.Names())
	names = regexp.MustCompile(`","`).ReplaceAll(names, []byte(`", "`))
	b = enum.ReplaceAll(b, append([]byte("${1}"), names...))
	var lines [][]byte
	for _, r := range pipeline.Results() {
		var schema bytes.Buffer
		if err := json.Compact(&schema, r.Schema); err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Appendf(nil, `          { "if": { "properties": { "name": { "const": %q } }, "required": ["result"] }, "then": { "properties": { "result": %s } } }`, r.Phase, schema.Bytes()))
	}
	body := bytes.Join(lines, []byte(",\n"))
	return results.ReplaceAllLiteral(b, append(append([]byte(`"allOf": [`+"\n"), body...), []byte("\n        ]")...)), nil
}
