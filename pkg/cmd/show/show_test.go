package show

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdShow(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []cmdtest.FlagCase[Options]{
		{Name: "run id", Args: []string{id}, Want: Options{RunID: id}},
		{Name: "artifacts", Args: []string{id, "--artifacts", "ci-artifacts"}, Want: Options{RunID: id, Artifacts: "ci-artifacts"}},
		{Name: "artifacts with =", Args: []string{"--artifacts=ci", id}, Want: Options{RunID: id, Artifacts: "ci"}},
		{Name: "json", Args: []string{id, "--json"}, Want: Options{RunID: id, JSON: true}},
		{Name: "json false", Args: []string{id, "--json=false"}, Want: Options{RunID: id}},
		{Name: "missing run id", Args: nil, WantErr: "accepts 1 arg(s), received 0"},
		{Name: "two run ids", Args: []string{id, "other"}, WantErr: "accepts 1 arg(s), received 2"},
		{Name: "artifacts without value", Args: []string{id, "--artifacts"}, WantErr: "flag needs an argument: --artifacts"},
		{Name: "json not a bool", Args: []string{id, "--json=maybe"}, WantErr: `invalid argument "maybe" for "--json"`},
		{Name: "unknown flag", Args: []string{id, "--yaml"}, WantErr: "unknown flag: --yaml"},
		{Name: "unknown shorthand", Args: []string{id, "-j"}, WantErr: "unknown shorthand flag: 'j' in -j"},
	}
	cmdtest.CheckFlags(t, NewCmdShow, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
