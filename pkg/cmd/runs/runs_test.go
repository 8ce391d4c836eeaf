package runs

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdRuns(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "defaults", Want: Options{Artifacts: "artifacts"}},
		{Name: "artifacts", Args: []string{"--artifacts", "ci-artifacts"}, Want: Options{Artifacts: "ci-artifacts"}},
		{Name: "artifacts with =", Args: []string{"--artifacts=/tmp/a"}, Want: Options{Artifacts: "/tmp/a"}},
		{Name: "artifacts given twice, the last wins", Args: []string{"--artifacts", "a", "--artifacts", "b"}, Want: Options{Artifacts: "b"}},
		{Name: "an argument", Args: []string{"20261120T224100Z-1a2b3c"}, WantErr: `unknown command "20261120T224100Z-1a2b3c" for "orchestrate runs"`},
		{Name: "artifacts without value", Args: []string{"--artifacts"}, WantErr: "flag needs an argument: --artifacts"},
		{Name: "unknown flag", Args: []string{"--json"}, WantErr: "unknown flag: --json"},
		{Name: "unknown shorthand", Args: []string{"-a", "x"}, WantErr: "unknown shorthand flag: 'a' in -a"},
	}
	cmdtest.CheckFlags(t, NewCmdRuns, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
