package merge

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdMerge(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "directories", Args: []string{"all/a/", "all/b/"}, Want: Options{Paths: []string{"all/a/", "all/b/"}, Out: "merged"}},
		{Name: "out", Args: []string{"-o", "report", "s.json"}, Want: Options{Paths: []string{"s.json"}, Out: "report"}},
		{Name: "out with =", Args: []string{"--out=r", "s.json"}, Want: Options{Paths: []string{"s.json"}, Out: "r"}},
		{Name: "nothing to merge", WantErr: "name the summaries or artifacts directories to merge"},
		{Name: "out without value", Args: []string{"s.json", "--out"}, WantErr: "flag needs an argument: --out"},
		{Name: "unknown flag", Args: []string{"--json", "s.json"}, WantErr: "unknown flag: --json"},
	}
	cmdtest.CheckFlags(t, NewCmdMerge, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
