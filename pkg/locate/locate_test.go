package locate

import (
	"os"
	"path/filepath"
	"testing"
)

// tree makes a workdir with orchestrate.yaml and service/handlers/.
func tree(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "service", "handlers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "orchestrate.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestResolve(t *testing.T) {
	root := tree(t)
	other := t.TempDir()
	tests := []struct {
		name                       string
		cwd, config, dir, arts     string
		wantConfig, wantWork, want string
	}{
		{name: "in the workdir", cwd: root,
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/artifacts"},
		{name: "from service/", cwd: root + "/service",
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/artifacts"},
		{name: "two levels down", cwd: root + "/service/handlers",
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/artifacts"},
		{name: "--config elsewhere: runs beside it", cwd: other, config: root + "/orchestrate.yaml",
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/artifacts"},
		{name: "--config relative", cwd: root + "/service", config: "../orchestrate.yaml",
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/artifacts"},
		{name: "--config names a missing file: not searched", cwd: root + "/service", config: "other.yaml",
			wantConfig: root + "/service/other.yaml", wantWork: root + "/service", want: root + "/service/artifacts"},
		{name: "--dir", cwd: root, dir: other,
			wantConfig: root + "/orchestrate.yaml", wantWork: other, want: other + "/artifacts"},
		{name: "--artifacts", cwd: root + "/service", arts: "ci-artifacts",
			wantConfig: root + "/orchestrate.yaml", wantWork: root, want: root + "/service/ci-artifacts"},
		{name: "no config anywhere", cwd: other,
			wantConfig: other + "/orchestrate.yaml", wantWork: other, want: other + "/artifacts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Resolve(tt.cwd, tt.config, tt.dir, tt.arts)
			if p.Config != tt.wantConfig || p.Workdir != tt.wantWork || p.Artifacts != tt.want {
				t.Errorf("got %+v\nwant config %s workdir %s artifacts %s", p, tt.wantConfig, tt.wantWork, tt.want)
			}
			if a := Artifacts(tt.cwd, tt.config, tt.arts); tt.dir == "" && a != tt.want {
				t.Errorf("Artifacts = %s, want %s", a, tt.want)
			}
		})
	}
}

// A directory named orchestrate.yaml is not a config.
func TestConfigSkipsDirectories(t *testing.T) {
	root := tree(t)
	sub := filepath.Join(root, "service", "orchestrate.yaml")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Config(filepath.Join(root, "service"), ""); got != filepath.Join(root, "orchestrate.yaml") {
		t.Errorf("got %s", got)
	}
}
