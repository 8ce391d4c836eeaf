package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/config"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdDoctor(t *testing.T) {
	def := Options{ConfigFile: "orchestrate.yaml", Timeout: 10 * time.Second}
	with := func(edit func(*Options)) Options {
		o := def
		edit(&o)
		return o
	}
	tests := []cmdtest.FlagCase[Options]{
		{Name: "defaults", Want: def},
		{Name: "config", Args: []string{"--config", "ci.yaml"}, Want: with(func(o *Options) { o.ConfigFile = "ci.yaml" })},
		{Name: "artifacts", Args: []string{"--artifacts", "/tmp/art"}, Want: with(func(o *Options) { o.Artifacts = "/tmp/art" })},
		{Name: "offline", Args: []string{"--offline"}, Want: with(func(o *Options) { o.Offline = true })},
		{Name: "timeout", Args: []string{"--timeout", "1m30s"}, Want: with(func(o *Options) { o.Timeout = 90 * time.Second })},
		{Name: "timeout with =", Args: []string{"--timeout=250ms"}, Want: with(func(o *Options) { o.Timeout = 250 * time.Millisecond })},
		{Name: "all flags", Args: []string{"--config=a.yaml", "--artifacts=b", "--offline", "--timeout=3s"},
			Want: Options{ConfigFile: "a.yaml", Artifacts: "b", Offline: true, Timeout: 3 * time.Second}},
		{Name: "an argument", Args: []string{"docker"}, WantErr: `unknown command "docker" for "orchestrate doctor"`},
		{Name: "timeout not a duration", Args: []string{"--timeout", "10"}, WantErr: `invalid argument "10" for "--timeout" flag: time: missing unit in duration "10"`},
		{Name: "timeout garbage", Args: []string{"--timeout=soon"}, WantErr: `invalid argument "soon" for "--timeout"`},
		{Name: "timeout zero", Args: []string{"--timeout", "0"}, WantErr: "--timeout 0s: each check needs a time limit above zero"},
		{Name: "timeout negative", Args: []string{"--offline", "--timeout=-5s"}, WantErr: "--timeout -5s: each check needs a time limit above zero"},
		{Name: "offline not a bool", Args: []string{"--offline=no-network"}, WantErr: `invalid argument "no-network" for "--offline"`},
		{Name: "config without value", Args: []string{"--config"}, WantErr: "flag needs an argument: --config"},
		{Name: "unknown flag", Args: []string{"--json"}, WantErr: "unknown flag: --json"},
		{Name: "unknown shorthand", Args: []string{"-t", "1s"}, WantErr: "unknown shorthand flag: 't' in -t"},
	}
	cmdtest.CheckFlags(t, NewCmdDoctor, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}

// On a fresh clone no model answers, but the committed cache does: doctor
// says so, and how to use it; with every role fine, or no cache, it does
// not.
func TestOfflineHint(t *testing.T) {
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "scaffold.codegen"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, "scaffold.codegen", "k.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	def := config.Default()
	cfg := &def
	failed := checks{{"go", true, ""}, {"role codegen", false, "connection refused"}}
	fine := checks{{"go", true, ""}, {"role codegen", true, ""}, {"docker", false, "down"}}
	if h := offlineHint(&Options{}, cfg, failed, cache); !strings.Contains(h, "orchestrate run --offline") || !strings.Contains(h, "1 recorded answers") {
		t.Errorf("hint %q", h)
	}
	for name, h := range map[string]string{
		"roles fine": offlineHint(&Options{}, cfg, fine, cache),
		"no cache":   offlineHint(&Options{}, cfg, failed, filepath.Join(cache, "none")),
		"offline":    offlineHint(&Options{Offline: true}, cfg, failed, cache),
	} {
		if h != "" {
			t.Errorf("%s: hint %q", name, h)
		}
	}
}
