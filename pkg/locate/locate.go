// Package locate is the one rule every command uses to find the config
// and the runs, the way docker compose finds its file:
//
//   - the config is --config when given; else orchestrate.yaml in the
//     current directory or the nearest directory above it that has one;
//   - the workdir is --dir when given; else the config file's directory;
//   - the runs (run directories and summaries) are in --artifacts when
//     given; else artifacts/ in the workdir.
//
// So `orchestrate run`, `runs`, `show`, `audit` and `down` agree on where
// runs live, from the workdir or any directory below it (service/).
package locate

import (
	"os"
	"path/filepath"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
)

// ArtifactsDir is the artifacts directory's name inside the workdir.
const ArtifactsDir = "artifacts"

// Config resolves the config file to an absolute path. name is what
// --config says (config.FileName when not given). The bare default name
// that is not in cwd is looked for upward, to the filesystem's root; when
// no directory has one, the result is the name in cwd, so the error that
// follows names the place a user would expect.
func Config(cwd, name string) string {
	if name == "" {
		name = config.FileName
	}
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	here := filepath.Join(cwd, name)
	if name != config.FileName || exists(here) {
		return here
	}
	for dir := cwd; ; {
		if p := filepath.Join(dir, name); exists(p) {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			return here
		}
		dir = up
	}
}

// Paths are where one run reads and writes.
type Paths struct {
	Config    string // the config file, absolute
	Workdir   string // holds service/ and tests/, absolute
	Artifacts string // run directories and summaries, absolute
}

// Resolve applies the rule to the flags (each empty when not given);
// cwd is the current directory, absolute.
func Resolve(cwd, configFlag, dirFlag, artifactsFlag string) Paths {
	p := Paths{Config: Config(cwd, configFlag)}
	p.Workdir = filepath.Dir(p.Config)
	if dirFlag != "" {
		p.Workdir = abs(cwd, dirFlag)
	}
	p.Artifacts = filepath.Join(p.Workdir, ArtifactsDir)
	if artifactsFlag != "" {
		p.Artifacts = abs(cwd, artifactsFlag)
	}
	return p
}

// Artifacts is where the runs are for the commands that read them
// (runs, show, audit, down): --artifacts when given, else by the rule.
func Artifacts(cwd, configFlag, artifactsFlag string) string {
	return Resolve(cwd, configFlag, "", artifactsFlag).Artifacts
}

// Cwd is the current directory, "." when it cannot be had.
func Cwd() string {
	d, err := os.Getwd()
	if err != nil {
		return "."
	}
	return d
}

func abs(cwd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}

func exists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
