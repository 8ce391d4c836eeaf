package triagecmd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdTriage(t *testing.T) {
	def := Options{ConfigFile: "orchestrate.yaml"}
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
		{name: "log", args: []string{"--log", "test.log"}, want: with(func(o *Options) { o.Log = "test.log" })},
		{name: "log from stdin", args: []string{"--log", "-"}, want: with(func(o *Options) { o.Log = "-" })},
		{name: "log with =", args: []string{"--log=ci/job.log"}, want: with(func(o *Options) { o.Log = "ci/job.log" })},
		{name: "json", args: []string{"--log", "-", "--json"}, want: with(func(o *Options) { o.Log, o.JSON = "-", true })},
		{name: "offline", args: []string{"--offline", "--log", "-"}, want: with(func(o *Options) { o.Log, o.Offline = "-", true })},
		{name: "config", args: []string{"--log", "-", "--config", "../svc/orchestrate.yaml"}, want: with(func(o *Options) { o.Log, o.ConfigFile = "-", "../svc/orchestrate.yaml" })},
		{name: "missing log", wantErr: "--log FILE is required (- for standard input)"},
		{name: "empty log", args: []string{"--log", ""}, wantErr: "--log FILE is required"},
		{name: "missing log with other flags", args: []string{"--json", "--offline"}, wantErr: "--log FILE is required"},
		{name: "log as an argument", args: []string{"test.log"}, wantErr: `unknown command "test.log" for "orchestrate triage"`},
		{name: "log without value", args: []string{"--log"}, wantErr: "flag needs an argument: --log"},
		{name: "json not a bool", args: []string{"--log", "-", "--json=2"}, wantErr: `invalid argument "2" for "--json"`},
		{name: "unknown flag", args: []string{"--log", "-", "--model", "x"}, wantErr: "unknown flag: --model"},
		{name: "unknown shorthand", args: []string{"-l", "test.log"}, wantErr: "unknown shorthand flag: 'l' in -l"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdTriage, tt.args...)
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
