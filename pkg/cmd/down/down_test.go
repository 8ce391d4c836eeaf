package down

import (
	"reflect"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdDown(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string
	}{
		{name: "run id", args: []string{id}, want: Options{RunID: id}},
		{name: "all", args: []string{"--all"}, want: Options{All: true}},
		{name: "docker host", args: []string{id, "--docker-host", "unix:///run/user/1000/docker.sock"}, want: Options{RunID: id, Host: "unix:///run/user/1000/docker.sock"}},
		{name: "docker host with =", args: []string{"--all", "--docker-host=tcp://127.0.0.1:2375"}, want: Options{All: true, Host: "tcp://127.0.0.1:2375"}},
		{name: "all=false with a run id", args: []string{id, "--all=false"}, want: Options{RunID: id}},
		{name: "neither run id nor all", wantErr: "name a run id, or pass --all"},
		{name: "empty run id", args: []string{""}, wantErr: "name a run id, or pass --all"},
		{name: "all=false alone", args: []string{"--all=false"}, wantErr: "name a run id, or pass --all"},
		{name: "run id and all", args: []string{id, "--all"}, wantErr: "a run id and --all exclude each other"},
		{name: "two run ids", args: []string{id, id}, wantErr: "accepts at most 1 arg(s), received 2"},
		{name: "all not a bool", args: []string{"--all=yes please"}, wantErr: `invalid argument "yes please" for "--all"`},
		{name: "docker host without value", args: []string{id, "--docker-host"}, wantErr: "flag needs an argument: --docker-host"},
		{name: "unknown flag", args: []string{"--keep"}, wantErr: "unknown flag: --keep"},
		{name: "unknown shorthand", args: []string{"-a"}, wantErr: "unknown shorthand flag: 'a' in -a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdDown, tt.args...)
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
