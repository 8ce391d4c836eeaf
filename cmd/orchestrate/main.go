// Command orchestrate makes several AI tools deliver a small containerised
// service end to end, reproducibly. See README.md.
package main

import (
	"os"

	"github.com/orchestrate-dev/orchestrate/pkg/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
