package down

import (
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
		{Name: "neither run id nor all", WantErr: "name a run id, or pass --all"},
		{Name: "empty run id", Args: []string{""}, WantErr: "name a run id, or pass --all"},
		{Name: "all=false alone", Args: []string{"--all=false"}, WantErr: "name a run id, or pass --all"},
		{Name: "run id and all", Args: []string{id, "--all"}, WantErr: "a run id and --all exclude each other"},
		{Name: "two run ids", Args: []string{id, id}, WantErr: "accepts at most 1 arg(s), received 2"},
		{Name: "all not a bool", Args: []string{"--all=yes please"}, WantErr: `invalid argument "yes please" for "--all"`},
		{Name: "docker host without value", Args: []string{id, "--docker-host"}, WantErr: "flag needs an argument: --docker-host"},
		{Name: "unknown flag", Args: []string{"--keep"}, WantErr: "unknown flag: --keep"},
		{Name: "unknown shorthand", Args: []string{"-a"}, WantErr: "unknown shorthand flag: 'a' in -a"},
	}
	cmdtest.CheckFlags(t, NewCmdDown, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
