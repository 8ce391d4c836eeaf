package root

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func execute(args ...string) (stdout, stderr string, err error) {
	f, out, errOut := cmdtest.Factory()
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	_, err = cmd.ExecuteContextC(context.Background())
	return out.String(), errOut.String(), err
}

func TestNewCmdRootCommands(t *testing.T) {
	f, _, _ := cmdtest.Factory()
	var names []string
	for _, c := range NewCmdRoot(f).Commands() {
		names = append(names, c.Name())
	}
	want := []string{"audit", "config", "doctor", "down", "merge", "run", "runs", "schema", "show", "triage", "version"}
	for _, n := range want {
		if !slices.Contains(names, n) {
			t.Errorf("no %q command; have %v", n, names)
		}
	}
}

func TestNewCmdRoot(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStdout string // a part of stdout
		wantUsage  string // a FlagError holding this
		wantErr    string // another error holding this
	}{
		{name: "no command", wantStdout: "Usage:\n  orchestrate [command]"},
		{name: "help", args: []string{"--help"}, wantStdout: "orchestrate runs a pipeline of phases"},
		{name: "short help", args: []string{"-h"}, wantStdout: "Available Commands:"},
		{name: "command help", args: []string{"run", "--help"}, wantStdout: "orchestrate run [flags]"},
		{name: "help command", args: []string{"help", "doctor"}, wantStdout: "orchestrate doctor [flags]"},
		{name: "version", args: []string{"version"}, wantStdout: "orchestrate test ("},
		{name: "version flag", args: []string{"--version"}, wantStdout: "orchestrate test ("},
		{name: "schema", args: []string{"schema", "summary"}, wantStdout: `"$schema"`},
		{name: "schema of an unknown document", args: []string{"schema", "bogus"}, wantUsage: `no schema for "bogus"`},
		{name: "completion", args: []string{"completion", "bash"}, wantStdout: "bash completion"},
		{name: "completion of an unknown shell", args: []string{"completion", "tcsh"}, wantUsage: `no completion for shell "tcsh"`},
		{name: "completion without a shell", args: []string{"completion"}, wantStdout: "Available Commands:"},
		// cli.Execute recognises cobra's own "unknown command" as a usage error.
		{name: "unknown command", args: []string{"deploy-now"}, wantErr: `unknown command "deploy-now" for "orchestrate"`},
		{name: "unknown flag", args: []string{"--colour"}, wantUsage: "unknown flag: --colour"},
		{name: "a command's unknown flag", args: []string{"runs", "--json"}, wantUsage: "unknown flag: --json"},
		{name: "a command's bad value", args: []string{"doctor", "--timeout", "soon"}, wantUsage: `invalid argument "soon" for "--timeout"`},
		{name: "a command's missing argument", args: []string{"show"}, wantUsage: "accepts 1 arg(s), received 0"},
		{name: "a command's extra argument", args: []string{"version", "now"}, wantUsage: `unknown command "now" for "orchestrate version"`},
		{name: "merge with nothing to merge", args: []string{"merge"}, wantUsage: "name the summaries or artifacts directories to merge"},
		{name: "a command's own check", args: []string{"down", "x", "--all"}, wantUsage: "a run id and --all exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := execute(tt.args...)
			var fe *cmdutil.FlagError
			switch {
			case tt.wantUsage != "":
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Errorf("error %v (%T), want a FlagError containing %q", err, err, tt.wantUsage)
				}
			case tt.wantErr != "":
				if err == nil || errors.As(err, &fe) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("error %v (%T), want one starting %q", err, err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("unexpected error: %v", err)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout %q, want it to hold %q", stdout, tt.wantStdout)
			}
			if stderr != "" {
				t.Errorf("stderr %q: errors are the caller's to print", stderr)
			}
		})
	}
}

// Flag values complete: phases (a comma-separated list goes on after the
// last comma), faults.
func TestFlagValuesComplete(t *testing.T) {
	tests := []struct {
		args []string
		want []string // lines of stdout, each a prefix
	}{
		{[]string{"__complete", "run", "--only", ""}, []string{"scaffold\t", "testgen\t", "lint\t"}},
		{[]string{"__complete", "run", "--skip", "scaffold,"}, []string{"scaffold,testgen\t", "scaffold,lint\t"}},
		{[]string{"__complete", "run", "--from", ""}, []string{"scaffold\t"}},
		{[]string{"__complete", "run", "--inject", ""}, []string{"list\t", "arith"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			stdout, _, err := execute(tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(stdout, "\n")
			for i, w := range tt.want {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("completions:\n%s\nwant line %d to start %q", stdout, i, w)
				}
			}
		})
	}
}
