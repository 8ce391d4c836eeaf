package show

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdShow(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "run id", args: []string{id}, want: Options{RunID: id, Artifacts: "artifacts"}},
		{name: "artifacts", args: []string{id, "--artifacts", "ci-artifacts"}, want: Options{RunID: id, Artifacts: "ci-artifacts"}},
		{name: "artifacts with =", args: []string{"--artifacts=ci", id}, want: Options{RunID: id, Artifacts: "ci"}},
		{name: "json", args: []string{id, "--json"}, want: Options{RunID: id, Artifacts: "artifacts", JSON: true}},
		{name: "json false", args: []string{id, "--json=false"}, want: Options{RunID: id, Artifacts: "artifacts"}},
		{name: "missing run id", args: nil, wantErr: "accepts 1 arg(s), received 0"},
		{name: "two run ids", args: []string{id, "other"}, wantErr: "accepts 1 arg(s), received 2"},
		{name: "artifacts without value", args: []string{id, "--artifacts"}, wantErr: "flag needs an argument: --artifacts"},
		{name: "json not a bool", args: []string{id, "--json=maybe"}, wantErr: `invalid argument "maybe" for "--json"`},
		{name: "unknown flag", args: []string{id, "--yaml"}, wantErr: "unknown flag: --yaml"},
		{name: "unknown shorthand", args: []string{id, "-j"}, wantErr: "unknown shorthand flag: 'j' in -j"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdShow, tt.args...)
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
