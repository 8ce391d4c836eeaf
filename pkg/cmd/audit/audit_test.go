package audit

import (
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdAudit(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []cmdtest.FlagCase[Options]{
		{Name: "run id", Args: []string{id}, Want: Options{RunID: id}},
		{Name: "artifacts", Args: []string{id, "--artifacts", "ci-artifacts"}, Want: Options{RunID: id, Artifacts: "ci-artifacts"}},
		{Name: "flag before the run id", Args: []string{"--artifacts=ci", id}, Want: Options{RunID: id, Artifacts: "ci"}},
		{Name: "run id after --", Args: []string{"--", "-odd"}, Want: Options{RunID: "-odd"}},
		{Name: "missing run id", WantErr: "accepts 1 arg(s), received 0"},
		{Name: "two run ids", Args: []string{id, id}, WantErr: "accepts 1 arg(s), received 2"},
		{Name: "artifacts without value", Args: []string{id, "--artifacts"}, WantErr: "flag needs an argument: --artifacts"},
		{Name: "unknown flag", Args: []string{id, "--json"}, WantErr: "unknown flag: --json"},
		{Name: "unknown shorthand", Args: []string{id, "-v"}, WantErr: "unknown shorthand flag: 'v' in -v"},
	}
	cmdtest.CheckFlags(t, NewCmdAudit, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}

// A run id that cannot be a directory name is a usage error, checked
// before any file is opened.
func TestAuditRejectsRunID(t *testing.T) {
	for _, id := range []string{"../outside", "a/b", "", "-x", strings.Repeat("a", 81)} {
		f, stdout, _ := cmdtest.Factory()
		err := Audit(&Options{F: f, Artifacts: t.TempDir(), RunID: id})
		if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), "use letters, digits") {
			t.Errorf("Audit(run id %q) = %v, want a usage error naming the allowed characters", id, err)
		}
		if stdout.Len() > 0 {
			t.Errorf("Audit(run id %q) printed %q", id, stdout)
		}
	}
}
