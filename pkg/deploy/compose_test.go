package deploy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A published port is the user's (kept, or a port_conflict when taken)
// when it is a literal or comes from a variable the environment sets; a
// default such as ${HOST_PORT:-8081} with HOST_PORT unset may be replaced.
func TestPinnedPortsFromTheComposeFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ports   string // the service's ports: lines
		environ []string
		want    []bool // per port, in order
	}{
		{"literal", `- "8081:8080"`, nil, []bool{true}},
		{"default only", `- "${HOST_PORT:-8081}:8080"`, nil, []bool{false}},
		{"default with the variable set", `- "${HOST_PORT:-8081}:8080"`, []string{"HOST_PORT=9000"}, []bool{true}},
		{"variable set empty", `- "${HOST_PORT:-8081}:8080"`, []string{"HOST_PORT="}, []bool{false}},
		{"bare variable set", `- "$HOST_PORT:8080"`, []string{"HOST_PORT=9000"}, []bool{true}},
		{"long syntax, default only", "- target: 8080\n        published: \"${HOST_PORT:-8081}\"", nil, []bool{false}},
		{"long syntax, literal", "- target: 8080\n        published: \"8081\"", nil, []bool{true}},
		{"one of two variables unset", `- "${HOST:-127.0.0.1}:${HOST_PORT:-8081}:8080"`, []string{"HOST=127.0.0.1"}, []bool{false}},
		{"per port", "- \"${HOST_PORT:-8081}:8080\"\n      - \"9091:9090\"", nil, []bool{false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			compose := "services:\n  api:\n    image: api\n    ports:\n      " + tc.ports + "\n"
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
				t.Fatal(err)
			}
			proj, err := loadCompose(context.Background(), dir, "compose.yaml", "api", tc.environ)
			if err != nil {
				t.Fatalf("loadCompose: %v\n%s", err, compose)
			}
			var got []bool
			for i := range proj.Services["api"].Ports {
				got = append(got, proj.isPinned("api", i))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pinned = %v, want %v for\n%s", got, tc.want, strings.TrimSpace(compose))
			}
		})
	}
}
