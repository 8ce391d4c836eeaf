// Package version reports orchestrate's own version.
package version

import "runtime/debug"

// String is the version of the running binary: the module version `go
// install github.com/orchestrate-dev/orchestrate/cmd/orchestrate@v1.2.3`
// stamps, else "dev" with the commit a build from a checkout records
// ("dev-1a2b3c4d5e6f", "-dirty" when the tree had changes), else "dev".
// A release may set it with
// -ldflags "-X github.com/orchestrate-dev/orchestrate/pkg/version.override=v1.2.3".
func String() string {
	if override != "" {
		return override
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo is the version a binary with build info bi reports.
func FromBuildInfo(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "dev"
	}
	return "dev-" + rev[:min(12, len(rev))] + dirty
}

var override string
