// Package version reports orchestrate's own version.
package version

import "runtime/debug"

// String is the module version of the running binary ("dev" for a build
// from a work tree), set at build time with
// -ldflags "-X github.com/orchestrate-dev/orchestrate/pkg/version.override=v1.2.3".
func String() string {
	if override != "" {
		return override
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

var override string
