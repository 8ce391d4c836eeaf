package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
)

// project is the compose file as loaded by compose-go, the same way
// `docker compose` reads it, plus which published ports the user pinned.
type project struct {
	*types.Project
	pinned map[string]bool // "<service>/<index>": the host port is the user's, not a default
}

var varRe = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// loadCompose reads dir/compose.yaml with environ for interpolation.
func loadCompose(ctx context.Context, dir, file, name string, environ []string) (*project, error) {
	path := filepath.Join(dir, file)
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(dir), cli.WithName(name),
		cli.WithEnv(environ), cli.WithoutEnvironmentResolution)
	if err != nil {
		return nil, failure.Wrap(failure.ConfigError, err, "read %s", path)
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, failure.Wrap(failure.ConfigError, err, "load %s (check it with `docker compose config`)", path)
	}
	if len(p.Services) == 0 {
		return nil, failure.New(failure.ConfigError, "%s defines no services", path)
	}
	pr := &project{Project: p, pinned: map[string]bool{}}
	// A published port is the user's when it is a literal, or comes from a
	// variable the environment sets; ${HOST_PORT:-8080} with HOST_PORT
	// unset is only a default, which a free port may replace.
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Services map[string]struct {
			Ports []any `yaml:"ports"`
		} `yaml:"services"`
	}
	_ = yaml.Unmarshal(raw, &doc)
	env := map[string]bool{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
			env[k] = true
		}
	}
	for svc, s := range doc.Services {
		for i, port := range s.Ports {
			text := fmt.Sprint(port)
			if m, ok := port.(map[string]any); ok {
				text = fmt.Sprint(m["published"])
			}
			pinned := true
			for _, v := range varRe.FindAllStringSubmatch(text, -1) {
				pinned = pinned && env[v[1]]
			}
			pr.pinned[fmt.Sprintf("%s/%d", svc, i)] = pinned
		}
	}
	return pr, nil
}

// names lists the services in a stable order.
func (p *project) names() []string {
	var out []string
	for n := range p.Services {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
