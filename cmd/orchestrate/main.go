// Command orchestrate makes several AI tools deliver a small containerised
// service end to end, reproducibly. See README.md.
package main

import (
	"os"

	"github.com/orchestrate-dev/orchestrate/pkg/cli"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
)

func main() {
	lint.ServeVetTool() // the lint phase runs the binary as go vet's analysis tool
	os.Exit(cli.Main(os.Args[1:]))
}
