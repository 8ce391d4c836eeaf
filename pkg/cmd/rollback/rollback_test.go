package rollback

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdRollback(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		{Name: "service and reason", Args: []string{"svc", "--reason", "p99 doubled"}, Want: Options{Service: "svc", Reason: "p99 doubled", Artifacts: "artifacts"}},
		{Name: "by and artifacts", Args: []string{"svc", "--reason=x", "--by", "ops@example.com", "--artifacts", "out"}, Want: Options{Service: "svc", Reason: "x", By: "ops@example.com", Artifacts: "out"}},
		{Name: "no reason", Args: []string{"svc"}, WantErr: "say why with --reason"},
		{Name: "blank reason", Args: []string{"svc", "--reason", "  "}, WantErr: "say why with --reason"},
		{Name: "no service", Args: []string{"--reason", "x"}, WantErr: "accepts 1 arg(s), received 0"},
		{Name: "unknown flag", Args: []string{"svc", "--all"}, WantErr: "unknown flag: --all"},
	}
	cmdtest.CheckFlags(t, NewCmdRollback, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
