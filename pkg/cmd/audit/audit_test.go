package audit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdAudit(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "run id", args: []string{id}, want: Options{RunID: id, Artifacts: "artifacts"}},
		{name: "artifacts", args: []string{id, "--artifacts", "ci-artifacts"}, want: Options{RunID: id, Artifacts: "ci-artifacts"}},
		{name: "flag before the run id", args: []string{"--artifacts=ci", id}, want: Options{RunID: id, Artifacts: "ci"}},
		{name: "run id after --", args: []string{"--", "-odd"}, want: Options{RunID: "-odd", Artifacts: "artifacts"}},
		{name: "missing run id", wantErr: "accepts 1 arg(s), received 0"},
		{name: "two run ids", args: []string{id, id}, wantErr: "accepts 1 arg(s), received 2"},
		{name: "artifacts without value", args: []string{id, "--artifacts"}, wantErr: "flag needs an argument: --artifacts"},
		{name: "unknown flag", args: []string{id, "--json"}, wantErr: "unknown flag: --json"},
		{name: "unknown shorthand", args: []string{id, "-v"}, wantErr: "unknown shorthand flag: 'v' in -v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdAudit, tt.args...)
			if tt.wantErr != "" {
				if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v (%T), want a usage error containing %q", err, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("the command ran with %+v after a usage error", *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("flag parsing wrote output: %q %q", stdout, stderr)
			}
		})
	}
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
