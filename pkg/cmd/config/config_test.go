package config

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdConfig(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "defaults", Want: Options{ConfigFile: "orchestrate.yaml"}},
		{Name: "config", Args: []string{"--config", "other.yaml"}, Want: Options{ConfigFile: "other.yaml"}},
		{Name: "config with =", Args: []string{"--config=../svc/orchestrate.yaml"}, Want: Options{ConfigFile: "../svc/orchestrate.yaml"}},
		{Name: "an argument", Args: []string{"other.yaml"}, WantErr: `unknown command "other.yaml" for "orchestrate config"`},
		{Name: "config without value", Args: []string{"--config"}, WantErr: "flag needs an argument: --config"},
		{Name: "unknown flag", Args: []string{"--json"}, WantErr: "unknown flag: --json"},
		{Name: "unknown shorthand", Args: []string{"-c", "x.yaml"}, WantErr: "unknown shorthand flag: 'c' in -c"},
	}
	cmdtest.CheckFlags(t, NewCmdConfig, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
