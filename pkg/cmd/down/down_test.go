package down

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdDown(t *testing.T) {
	const id = "20261120T224100Z-1a2b3c"
	tests := []cmdtest.FlagCase[Options]{
		{Name: "run id", Args: []string{id}, Want: Options{RunID: id}},
		{Name: "all", Args: []string{"--all"}, Want: Options{All: true}},
		{Name: "docker host", Args: []string{id, "--docker-host", "unix:///run/user/1000/docker.sock"}, Want: Options{RunID: id, Host: "unix:///run/user/1000/docker.sock"}},
		{Name: "docker host with =", Args: []string{"--all", "--docker-host=tcp://127.0.0.1:2375"}, Want: Options{All: true, Host: "tcp://127.0.0.1:2375"}},
		{Name: "all=false with a run id", Args: []string{id, "--all=false"}, Want: Options{RunID: id}},
		{Name: "no run id: this workdir's runs", Want: Options{}},
		{Name: "workdir by config", Args: []string{"--config", "../orchestrate.yaml"}, Want: Options{ConfigFile: "../orchestrate.yaml"}},
		{Name: "all, yes", Args: []string{"--all", "-y"}, Want: Options{All: true, Yes: true}},
		{Name: "empty run id", Args: []string{""}, WantErr: "the run id is empty"},
		{Name: "all=false alone", Args: []string{"--all=false"}, Want: Options{}},
		{Name: "run id and all", Args: []string{id, "--all"}, WantErr: "a run id and --all exclude each other"},
		{Name: "two run ids", Args: []string{id, id}, WantErr: "accepts at most 1 arg(s), received 2"},
		{Name: "all not a bool", Args: []string{"--all=yes please"}, WantErr: `invalid argument "yes please" for "--all"`},
		{Name: "docker host without value", Args: []string{id, "--docker-host"}, WantErr: "flag needs an argument: --docker-host"},
		{Name: "unknown flag", Args: []string{"--keep"}, WantErr: "unknown flag: --keep"},
		{Name: "unknown shorthand", Args: []string{"-a"}, WantErr: "unknown shorthand flag: 'a' in -a"},
	}
	cmdtest.CheckFlags(t, NewCmdDown, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}

// On a terminal, --all asks; "n" removes nothing and never reaches Docker.
// Any other way (--yes, or no terminal) it goes on to the daemon, here
// one that is not there.
func TestDownAllAsks(t *testing.T) {
	tests := []struct {
		name       string
		tty, yes   bool
		answer     string
		wantAsked  bool
		wantSilent bool
	}{
		{name: "terminal, no", tty: true, answer: "n\n", wantAsked: true, wantSilent: true},
		{name: "terminal, empty answer", tty: true, answer: "\n", wantAsked: true, wantSilent: true},
		{name: "terminal, yes", tty: true, answer: "y\n", wantAsked: true},
		{name: "terminal, --yes", tty: true, yes: true},
		{name: "no terminal", tty: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, stderr := cmdtest.Factory()
			f.IOStreams.In = strings.NewReader(tt.answer)
			f.IOStreams.SetTTY(tt.tty, false)
			f.IOStreams.SetStdinTTY(tt.tty)
			err := Down(context.Background(), &Options{F: f, All: true, Yes: tt.yes, Host: "tcp://127.0.0.1:1"})
			asked := strings.Contains(stderr.String(), "[y/N]")
			if asked != tt.wantAsked {
				t.Errorf("asked %v, want %v (stderr %q)", asked, tt.wantAsked, stderr)
			}
			if silent := errors.Is(err, cmdutil.ErrSilent); silent != tt.wantSilent {
				t.Errorf("error %v: silent %v, want %v", err, silent, tt.wantSilent)
			}
			if !tt.wantSilent && (err == nil || !strings.Contains(err.Error(), "Docker daemon")) {
				t.Errorf("error %v, want the unreachable daemon's", err)
			}
		})
	}
}
