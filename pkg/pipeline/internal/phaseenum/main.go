// Command phaseenum writes the pipeline's phase names, in order, into the
// summary schema's enum of phase names (go generate ./pkg/pipeline), so the
// order lives once, in pipeline.Phases.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
)

var enum = regexp.MustCompile(`("name": \{ "enum": )\[[^\]]*\]`)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: phaseenum SCHEMA.json")
		os.Exit(2)
	}
	path := os.Args[1]
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if n := len(enum.FindAll(b, -1)); n != 1 {
		fmt.Fprintf(os.Stderr, "%s: %d enums of phase names, want 1\n", path, n)
		os.Exit(1)
	}
	names, _ := json.Marshal(pipeline.Names())
	names = regexp.MustCompile(`","`).ReplaceAll(names, []byte(`", "`))
	out := enum.ReplaceAll(b, append([]byte("${1}"), names...))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
