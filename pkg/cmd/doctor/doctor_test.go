package doctor

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdDoctor(t *testing.T) {
	def := Options{ConfigFile: "orchestrate.yaml", Timeout: 10 * time.Second}
	with := func(edit func(*Options)) Options {
		o := def
		edit(&o)
		return o
	}
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "defaults", want: def},
		{name: "config", args: []string{"--config", "ci.yaml"}, want: with(func(o *Options) { o.ConfigFile = "ci.yaml" })},
		{name: "artifacts", args: []string{"--artifacts", "/tmp/art"}, want: with(func(o *Options) { o.Artifacts = "/tmp/art" })},
		{name: "offline", args: []string{"--offline"}, want: with(func(o *Options) { o.Offline = true })},
		{name: "timeout", args: []string{"--timeout", "1m30s"}, want: with(func(o *Options) { o.Timeout = 90 * time.Second })},
		{name: "timeout with =", args: []string{"--timeout=250ms"}, want: with(func(o *Options) { o.Timeout = 250 * time.Millisecond })},
		{name: "all flags", args: []string{"--config=a.yaml", "--artifacts=b", "--offline", "--timeout=3s"},
			want: Options{ConfigFile: "a.yaml", Artifacts: "b", Offline: true, Timeout: 3 * time.Second}},
		{name: "an argument", args: []string{"docker"}, wantErr: `unknown command "docker" for "orchestrate doctor"`},
		{name: "timeout not a duration", args: []string{"--timeout", "10"}, wantErr: `invalid argument "10" for "--timeout" flag: time: missing unit in duration "10"`},
		{name: "timeout garbage", args: []string{"--timeout=soon"}, wantErr: `invalid argument "soon" for "--timeout"`},
		{name: "timeout zero", args: []string{"--timeout", "0"}, wantErr: "--timeout 0s: each check needs a time limit above zero"},
		{name: "timeout negative", args: []string{"--offline", "--timeout=-5s"}, wantErr: "--timeout -5s: each check needs a time limit above zero"},
		{name: "offline not a bool", args: []string{"--offline=no-network"}, wantErr: `invalid argument "no-network" for "--offline"`},
		{name: "config without value", args: []string{"--config"}, wantErr: "flag needs an argument: --config"},
		{name: "unknown flag", args: []string{"--json"}, wantErr: "unknown flag: --json"},
		{name: "unknown shorthand", args: []string{"-t", "1s"}, wantErr: "unknown shorthand flag: 't' in -t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdDoctor, tt.args...)
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
