package testgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
)

// Config is the phase's part of the config, phases.testgen.
type Config struct {
	// Unit turns off model-written unit tests when false.
	Unit bool `yaml:"unit" json:"unit"`
}

// Settings is the phase's part of the config: unit tests are generated.
var Settings = config.SectionOf(phase.Testgen, "testgen", Config{Unit: true}, nil, config.RoleTestgen)

// Configure builds the phase's Input from the run's settings and the
// service's code as it is on disk.
func Configure(s phase.Setup) (Input, error) {
	// --force covers the generated tests as well as scaffold's files.
	force, _ := config.Value[bool](s.Config, "phases.scaffold.force")
	in := Input{Spec: s.Config.Service, Workdir: s.Workdir, Unit: config.Get[Config](s.Config, phase.Testgen).Unit, Force: force}
	var err error
	in.Sources, err = sources(filepath.Join(s.Workdir, filepath.FromSlash(s.Config.Service.Dir)))
	return in, err
}

// sources reads the service's code as it is on disk: what scaffold wrote,
// or what the user has since edited.
func sources(dir string) ([]Source, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, Source{Path: filepath.Base(p), SHA256: hex.EncodeToString(sum[:]), Content: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Go files in %s: run the scaffold phase first (orchestrate run --only scaffold)", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
