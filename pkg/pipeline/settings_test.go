package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/deploy"
	"github.com/orchestrate-dev/orchestrate/pkg/lint"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/release"
	"github.com/orchestrate-dev/orchestrate/pkg/testgen"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
)

// Each phase owns its part of the config: its defaults reach the loader
// through the pipeline's list, and so do its checks.
func TestPhasesOwnTheirSettings(t *testing.T) {
	d := Default()
	if config.Get[lint.Config](&d, phase.Lint).MaxPasses != 5 || config.Get[testrun.Config](&d, phase.Test).PromptBytes != 15<<10 ||
		config.Get[deploy.Config](&d, phase.Deploy).Compose != "compose.yaml" || !config.Get[testgen.Config](&d, phase.Testgen).Unit ||
		config.Get[release.Config](&d, release.Name).Strategy != release.Replace {
		t.Errorf("the phases' defaults did not reach Default: %+v", d.Phases)
	}
	if b := config.Default(); config.Get[lint.Config](&b, phase.Lint).MaxPasses != 0 {
		t.Errorf("config.Default holds a phase's default: %+v", b.Phases)
	}
	if got := len(Sections()); got != len(Phases()) {
		t.Errorf("%d sections for %d phases", got, len(Phases()))
	}
	// The repository's config without its phases section.
	raw, err := os.ReadFile(filepath.Join("..", "..", "orchestrate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, _ := strings.Cut(string(raw), "\nphases:")
	_, tail, _ := strings.Cut(rest, "\npolicy:")
	base := head + "\npolicy:" + tail + "\n"
	for _, c := range []struct{ yaml, key string }{
		{"", ""},
		{"phases: {test: {max_iterations: 0}}\n", "phases.test.max_iterations"},
		{"phases: {test: {prompt_bytes: 100}}\n", "phases.test.prompt_bytes"},
		{"phases: {lint: {golangci: sometimes}}\n", "phases.lint.golangci"},
		{"phases:\n  deploy:\n    health_timeout: -1s\n", "phases.deploy.health_timeout"},
		{"phases:\n  deploy:\n    strategy: blue\n", "phases.deploy.strategy"},
		{"phases:\n  deploy:\n    stratgy: canary\n", "phases.deploy.stratgy"},
		{"phases:\n  mutation:\n    equivalent: [{id: x}]\n", "phases.mutation.equivalent[0]"},
		{"phases:\n  relase: {}\n", "phases.relase"},
	} {
		path := filepath.Join(t.TempDir(), "orchestrate.yaml")
		if err := os.WriteFile(path, []byte(base+c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		l := &config.Loader{Sections: Sections(), Viper: viper.New(), Environ: func() []string { return nil }}
		cfg, err := l.Load(path)
		var ke *config.KeyError
		switch {
		case c.key == "" && err != nil:
			t.Errorf("a config with no phases section: %v", err)
		case c.key == "" && config.Get[testrun.Config](cfg, phase.Test).MaxQuestions != 3:
			t.Errorf("defaults not applied: %+v", cfg.Phases)
		case c.key != "" && (!errors.As(err, &ke) || ke.Key != c.key || !strings.Contains(err.Error(), path)):
			t.Errorf("%q: got %v, want a KeyError on %s naming the file", c.yaml, err, c.key)
		}
	}
}
