package approve

import (
	"context"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdApprove(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []cmdtest.FlagCase[Options]{
		{Name: "reason and who", Args: []string{id, "--reason", "checked", "--by", "a person"}, Want: Options{RunID: id, Reason: "checked", By: "a person", Artifacts: "artifacts"}},
		{Name: "missing run id", Args: []string{"--reason", "x"}, WantErr: "accepts 1 arg(s), received 0"},
		{Name: "reason without value", Args: []string{id, "--reason"}, WantErr: "flag needs an argument: --reason"},
	}
	cmdtest.CheckFlags(t, NewCmdApprove, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}

// No reason, no bypass: a usage error before any file is read.
func TestApproveWithoutAReasonIsRefused(t *testing.T) {
	for _, reason := range []string{"", "   ", "\n\t"} {
		f, stdout, _ := cmdtest.Factory()
		err := Approve(context.Background(), &Options{F: f, Artifacts: t.TempDir(), RunID: "r1", Reason: reason, By: "x"})
		if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), "needs a reason") {
			t.Errorf("reason %q: %v", reason, err)
		}
		if stdout.Len() > 0 {
			t.Errorf("printed %q", stdout)
		}
	}
}
