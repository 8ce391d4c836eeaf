package runs

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdRuns(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "defaults", want: Options{Artifacts: "artifacts"}},
		{name: "artifacts", args: []string{"--artifacts", "ci-artifacts"}, want: Options{Artifacts: "ci-artifacts"}},
		{name: "artifacts with =", args: []string{"--artifacts=/tmp/a"}, want: Options{Artifacts: "/tmp/a"}},
		{name: "artifacts given twice, the last wins", args: []string{"--artifacts", "a", "--artifacts", "b"}, want: Options{Artifacts: "b"}},
		{name: "an argument", args: []string{"20261120T224100Z-1a2b3c"}, wantErr: `unknown command "20261120T224100Z-1a2b3c" for "orchestrate runs"`},
		{name: "artifacts without value", args: []string{"--artifacts"}, wantErr: "flag needs an argument: --artifacts"},
		{name: "unknown flag", args: []string{"--json"}, wantErr: "unknown flag: --json"},
		{name: "unknown shorthand", args: []string{"-a", "x"}, wantErr: "unknown shorthand flag: 'a' in -a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdRuns, tt.args...)
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
