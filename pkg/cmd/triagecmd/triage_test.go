package triagecmd

import (
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdTriage(t *testing.T) {
	def := Options{ConfigFile: "orchestrate.yaml"}
	with := func(edit func(*Options)) Options {
		o := def
		edit(&o)
		return o
	}
	tests := []cmdtest.FlagCase[Options]{
		{Name: "log", Args: []string{"--log", "test.log"}, Want: with(func(o *Options) { o.Log = "test.log" })},
		{Name: "log from stdin", Args: []string{"--log", "-"}, Want: with(func(o *Options) { o.Log = "-" })},
		{Name: "log with =", Args: []string{"--log=ci/job.log"}, Want: with(func(o *Options) { o.Log = "ci/job.log" })},
		{Name: "json", Args: []string{"--log", "-", "--json"}, Want: with(func(o *Options) { o.Log, o.JSON = "-", true })},
		{Name: "offline", Args: []string{"--offline", "--log", "-"}, Want: with(func(o *Options) { o.Log, o.Offline = "-", true })},
		{Name: "config", Args: []string{"--log", "-", "--config", "../svc/orchestrate.yaml"}, Want: with(func(o *Options) { o.Log, o.ConfigFile = "-", "../svc/orchestrate.yaml" })},
		{Name: "missing log", WantErr: "--log FILE is required (- for standard input)"},
		{Name: "empty log", Args: []string{"--log", ""}, WantErr: "--log FILE is required"},
		{Name: "missing log with other flags", Args: []string{"--json", "--offline"}, WantErr: "--log FILE is required"},
		{Name: "log as an argument", Args: []string{"test.log"}, WantErr: `unknown command "test.log" for "orchestrate triage"`},
		{Name: "log without value", Args: []string{"--log"}, WantErr: "flag needs an argument: --log"},
		{Name: "json not a bool", Args: []string{"--log", "-", "--json=2"}, WantErr: `invalid argument "2" for "--json"`},
		{Name: "unknown flag", Args: []string{"--log", "-", "--model", "x"}, WantErr: "unknown flag: --model"},
		{Name: "unknown shorthand", Args: []string{"-l", "test.log"}, WantErr: "unknown shorthand flag: 'l' in -l"},
	}
	cmdtest.CheckFlags(t, NewCmdTriage, func(o *Options, f *cmdutil.Factory) { o.F = f }, tests)
}
