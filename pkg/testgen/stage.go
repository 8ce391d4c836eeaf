package testgen

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/gotool"
)

// stage is a throw-away copy of the service where generated tests are
// compiled and run before any of them reaches the service directory.
type stage struct {
	dir  string
	base map[string][]byte // go.mod, go.sum, sources, the user's own tests
}

// newStage copies the service's module files, its sources and the test
// files that are not this phase's (the user's own).
func newStage(svc string, sources []Source, owned map[string]string) (*stage, error) {
	dir, err := os.MkdirTemp("", "orchestrate-testgen-*")
	if err != nil {
		return nil, err
	}
	s := &stage{dir: dir, base: map[string][]byte{}}
	for _, name := range []string{"go.mod", "go.sum"} {
		if b, err := os.ReadFile(filepath.Join(svc, name)); err == nil {
			s.base[name] = b
		}
	}
	for _, src := range sources {
		s.base[src.Path] = []byte(src.Content)
	}
	tests, _ := filepath.Glob(filepath.Join(svc, "*_test.go"))
	for _, t := range tests {
		name := filepath.Base(t)
		if _, ours := owned[name]; ours {
			continue
		}
		if b, err := os.ReadFile(t); err == nil {
			s.base[name] = b
		}
	}
	return s, nil
}

// reset makes the stage hold the base files plus extra, and nothing else.
func (s *stage) reset(extra map[string][]byte) error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
			return err
		}
	}
	for _, m := range []map[string][]byte{s.base, extra} {
		for name, b := range m {
			if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// vet compiles the package with the accepted test files and one more.
func (s *stage) vet(ctx context.Context, g gotool.Go, accepted map[string][]byte, name string, content []byte) (gotool.Result, error) {
	files := map[string][]byte{name: content}
	for k, v := range accepted {
		files[k] = v
	}
	if err := s.reset(files); err != nil {
		return gotool.Result{}, err
	}
	return g.Run(ctx, s.dir, "vet", ".")
}

// test runs the package's tests with the given extra files.
func (s *stage) test(ctx context.Context, g gotool.Go, extra map[string][]byte) (gotool.Report, error) {
	if err := s.reset(extra); err != nil {
		return gotool.Report{}, err
	}
	r, err := g.Run(ctx, s.dir, "test", "-count=1", "-json", "-cover", "-timeout=120s", ".")
	if err != nil {
		return gotool.Report{}, err
	}
	rep := gotool.ParseTestJSON([]byte(r.Output))
	rep.Output = strings.ReplaceAll(rep.Output, s.dir+string(filepath.Separator), "")
	return rep, nil
}
