package reviewcmd

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdReview(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "defaults", Want: Options{Dir: "."}},
		{Name: "a range, offline, json", Args: []string{"--diff", "origin/main...HEAD", "--offline", "--json"}, Want: Options{Dir: ".", Diff: "origin/main...HEAD", Offline: true, JSON: true}},
		{Name: "stdin", Args: []string{"--diff=-", "--dir", "repo", "--config", "repo/o.yaml", "--artifacts", "out", "--run-id", "r1"},
			Want: Options{Diff: "-", Dir: "repo", ConfigFile: "repo/o.yaml", Artifacts: "out", RunID: "r1"}},
		{Name: "an argument", Args: []string{"HEAD~1"}, WantErr: "unknown command"},
		{Name: "diff without value", Args: []string{"--diff"}, WantErr: "flag needs an argument: --diff"},
	}
	cmdtest.CheckFlags(t, NewCmdReview, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
