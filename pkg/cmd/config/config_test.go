package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "defaults", want: Options{ConfigFile: "orchestrate.yaml"}},
		{name: "config", args: []string{"--config", "other.yaml"}, want: Options{ConfigFile: "other.yaml"}},
		{name: "config with =", args: []string{"--config=../svc/orchestrate.yaml"}, want: Options{ConfigFile: "../svc/orchestrate.yaml"}},
		{name: "an argument", args: []string{"other.yaml"}, wantErr: `unknown command "other.yaml" for "orchestrate config"`},
		{name: "config without value", args: []string{"--config"}, wantErr: "flag needs an argument: --config"},
		{name: "unknown flag", args: []string{"--json"}, wantErr: "unknown flag: --json"},
		{name: "unknown shorthand", args: []string{"-c", "x.yaml"}, wantErr: "unknown shorthand flag: 'c' in -c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdConfig, tt.args...)
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
