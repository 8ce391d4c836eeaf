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
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &project{Project: p, pinned: pinnedPorts(raw, environ)}, nil
}

// pinnedPorts says which published ports of a compose file are the
// user's: a literal, or from variables the environment sets.
// ${HOST_PORT:-8080} with HOST_PORT unset is only a default, which a free
// port may replace.
func pinnedPorts(compose []byte, environ []string) map[string]bool {
	var doc struct {
		Services map[string]struct {
			Ports []any `yaml:"ports"`
		} `yaml:"services"`
	}
	_ = yaml.Unmarshal(compose, &doc)
	env := map[string]bool{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
			env[k] = true
		}
	}
	pinned := map[string]bool{}
	for svc, s := range doc.Services {
		for i, port := range s.Ports {
			text := fmt.Sprint(port)
			if m, ok := port.(map[string]any); ok {
				text = fmt.Sprint(m["published"])
			}
			user := true
			for _, v := range varRe.FindAllStringSubmatch(text, -1) {
				user = user && env[v[1]]
			}
			pinned[portKey(svc, i)] = user
		}
	}
	return pinned
}

func portKey(service string, i int) string { return fmt.Sprintf("%s/%d", service, i) }

// isPinned says whether the user fixed the host port of the service's
// i-th published port.
func (p *project) isPinned(service string, i int) bool { return p.pinned[portKey(service, i)] }

// names lists the services in a stable order.
func (p *project) names() []string {
	var out []string
	for n := range p.Services {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
