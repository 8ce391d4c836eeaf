package version

import (
	"runtime"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
)

func TestNewCmdVersion(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no arguments"},
		{name: "short flag", args: []string{"--short", "x"}, wantErr: "unknown flag: --short"},
		{name: "extra word", args: []string{"full"}, wantErr: `unknown command "full" for "orchestrate version"`},
		{name: "unknown shorthand", args: []string{"-v"}, wantErr: "unknown shorthand flag: 'v' in -v"},
		{name: "json", args: []string{"--json"}, wantErr: "unknown flag: --json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdVersion, tt.args...)
			if tt.wantErr != "" {
				if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v (%T), want a usage error containing %q", err, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("the command ran after a usage error")
				}
				return
			}
			if err != nil || got == nil || got.F != f {
				t.Fatalf("got %+v, %v; want the options with the factory", got, err)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("flag parsing wrote output: %q %q", stdout, stderr)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	f, stdout, stderr := cmdtest.Factory()
	if err := Print(&Options{F: f}); err != nil {
		t.Fatal(err)
	}
	want := "orchestrate test (" + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	if stdout.String() != want || stderr.Len() > 0 {
		t.Errorf("stdout %q stderr %q, want stdout %q", stdout, stderr, want)
	}
}
