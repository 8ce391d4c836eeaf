package run

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

func TestNewCmdRun(t *testing.T) {
	def := Options{ConfigFile: "orchestrate.yaml", Timeout: 30 * time.Minute}
	with := func(edit func(*Options)) Options {
		o := def
		edit(&o)
		return o
	}
	tests := []struct {
		name  string
		args  []string
		want  Options
		bound map[string]string // config keys the flags override, and the values
	}{
		{name: "defaults", want: def},
		{name: "config", args: []string{"--config", "../svc/orchestrate.yaml"}, want: with(func(o *Options) { o.ConfigFile = "../svc/orchestrate.yaml" })},
		{name: "dir", args: []string{"--dir=work"}, want: with(func(o *Options) { o.Dir = "work" })},
		{name: "artifacts", args: []string{"--artifacts", "ci-artifacts"}, want: with(func(o *Options) { o.Artifacts = "ci-artifacts" })},
		{name: "run id", args: []string{"--run-id", "nightly-42"}, want: with(func(o *Options) { o.RunID = "nightly-42" })},
		{name: "offline", args: []string{"--offline"}, want: with(func(o *Options) { o.Offline = true })},
		{name: "json", args: []string{"--json"}, want: with(func(o *Options) { o.JSON = true })},
		{name: "no cache", args: []string{"--no-cache"}, want: with(func(o *Options) { o.NoCache = true })},
		{name: "explain cache", args: []string{"--explain-cache"}, want: with(func(o *Options) { o.Explain = true })},
		{name: "only, comma-separated and repeated", args: []string{"--only", "lint,report", "--only=test"}, want: with(func(o *Options) { o.Only = []string{"lint", "report", "test"} })},
		{name: "only, blanks dropped", args: []string{"--only", " lint , ,report "}, want: with(func(o *Options) { o.Only = []string{"lint", "report"} })},
		{name: "only, empty", args: []string{"--only="}, want: def},
		{name: "skip", args: []string{"--skip", "deploy,test"}, want: with(func(o *Options) { o.Skip = []string{"deploy", "test"} })},
		{name: "from", args: []string{"--from", "lint"}, want: with(func(o *Options) { o.From = "lint" })},
		{name: "timeout", args: []string{"--timeout", "90s"}, want: with(func(o *Options) { o.Timeout = 90 * time.Second }), bound: map[string]string{"run.timeout": "1m30s"}},
		{name: "timeout zero", args: []string{"--timeout=0"}, want: with(func(o *Options) { o.Timeout = 0 }), bound: map[string]string{"run.timeout": "0s"}},
		{name: "keep", args: []string{"--keep"}, want: with(func(o *Options) { o.Keep = true }), bound: map[string]string{"docker.keep": "true"}},
		{name: "force", args: []string{"--force"}, want: def, bound: map[string]string{"phases.scaffold.force": "true"}},
		{name: "inject and seed", args: []string{"--inject", "nil-map", "--seed", "-7"}, want: def, bound: map[string]string{"phases.test.inject": "nil-map", "phases.test.seed": "-7"}},
		{name: "inject list", args: []string{"--inject=list"}, want: def, bound: map[string]string{"phases.test.inject": "list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdRun, tt.args...)
			if err != nil || got == nil {
				t.Fatalf("got %v, %v; want options", got, err)
			}
			checkBound(t, got, tt.bound)
			opts := *got
			opts.flags = nil
			tt.want.F = f
			if !reflect.DeepEqual(opts, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", opts, tt.want)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("flag parsing wrote output: %q %q", stdout, stderr)
			}
		})
	}
}

// checkBound checks that the flags bound to config keys are changed, and
// so override the file and the environment, exactly when given.
func checkBound(t *testing.T, opts *Options, want map[string]string) {
	t.Helper()
	keys := []string{"run.timeout", "docker.keep", "phases.scaffold.force", "phases.test.inject", "phases.test.seed"}
	if len(opts.flags) != len(keys) {
		t.Errorf("%d config keys bound to flags, want %d: %v", len(opts.flags), len(keys), opts.flags)
	}
	for _, k := range keys {
		fl := opts.flags[k]
		if fl == nil {
			t.Errorf("config key %s is bound to no flag", k)
			continue
		}
		v, given := want[k]
		if fl.Changed != given || given && fl.Value.String() != v {
			t.Errorf("--%s (%s): changed %v, value %q; want changed %v, value %q", fl.Name, k, fl.Changed, fl.Value, given, v)
		}
	}
}

// A flag that does not parse ends the run like any other: exit 2, the
// message and a failed summary where the artifacts would have gone.
func TestNewCmdRunFlagErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "unknown flag", args: []string{"--colour"}, wantErr: "unknown flag: --colour"},
		{name: "unknown shorthand", args: []string{"-o", "report"}, wantErr: "unknown shorthand flag: 'o' in -o"},
		{name: "timeout not a duration", args: []string{"--timeout", "soon"}, wantErr: `invalid argument "soon" for "--timeout" flag`},
		{name: "seed not a number", args: []string{"--inject", "nil-map", "--seed", "0x1g"}, wantErr: `invalid argument "0x1g" for "--seed" flag`},
		{name: "keep not a bool", args: []string{"--keep=later"}, wantErr: `invalid argument "later" for "--keep" flag`},
		{name: "from without value", args: []string{"--from"}, wantErr: "flag needs an argument: --from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art := filepath.Join(t.TempDir(), "artifacts")
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdRun, append([]string{"--artifacts", art}, tt.args...)...)
			if cmdutil.ExitCode(err) != summary.ExitUsage || got != nil {
				t.Fatalf("got %+v, %v (exit %d); want exit 2 without running", got, err, cmdutil.ExitCode(err))
			}
			want := "orchestrate: " + tt.wantErr
			if !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "\nRun 'orchestrate run --help' for usage.\norchestrate: summary "+art) {
				t.Errorf("stderr %q, want %q, the pointer to --help and the summary", stderr, want)
			}
			checkRejected(t, art, tt.wantErr)
			if stdout.Len() > 0 {
				t.Errorf("stdout %q without --json", stdout)
			}
		})
	}
}

// checkRejected checks the one summary in dir: a failed run, exit 2, a
// config error whose message holds msg.
func checkRejected(t *testing.T, dir, msg string) *summary.Summary {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "summary-*.json"))
	if len(paths) != 1 {
		t.Fatalf("summaries in %s: %v, want one", dir, paths)
	}
	s, err := summary.Read(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != summary.Failed || s.ExitCode != summary.ExitUsage || len(s.Failures) != 1 ||
		s.Failures[0].Class != "config_error" || !strings.Contains(s.Failures[0].Message, msg) {
		t.Errorf("summary %s: status %s, exit %d, failures %+v; want a config error %q", paths[0], s.Status, s.ExitCode, s.Failures, msg)
	}
	return s
}

// Without --artifacts, the summary of a bad flag goes beside the config
// file when the flags read before it name one; with --json it is also
// printed.
func TestNewCmdRunFlagErrorBesideConfig(t *testing.T) {
	dir := t.TempDir()
	f, stdout, _ := cmdtest.Factory()
	_, err := cmdtest.Parse(f, NewCmdRun, "--config", filepath.Join(dir, "orchestrate.yaml"), "--json", "--only")
	if cmdutil.ExitCode(err) != summary.ExitUsage {
		t.Fatalf("error %v, want exit 2", err)
	}
	s := checkRejected(t, filepath.Join(dir, "artifacts"), "flag needs an argument: --only")
	var printed summary.Summary
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil || printed.RunID != s.RunID {
		t.Errorf("--json printed %q (%v), want the summary of run %s", stdout, err, s.RunID)
	}
}

func TestNewCmdRunArgs(t *testing.T) {
	f, _, _ := cmdtest.Factory()
	got, err := cmdtest.Parse(f, NewCmdRun, "--artifacts", t.TempDir(), "report")
	if !cmdtest.IsUsage(err) || !strings.Contains(err.Error(), `unknown command "report" for "orchestrate run"`) || got != nil {
		t.Errorf("got %+v, %v; want a usage error for the argument", got, err)
	}
}

// The phase selection is checked before the config is read: a bad one
// is a usage error with a summary.
func TestRunRejectsSelection(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--only", "deploy-everything"}, `unknown phase "deploy-everything" (phases: `},
		{[]string{"--only", "report", "--skip", "report"}, `phase "report" is named by both --only and --skip`},
		{[]string{"--from", "nowhere"}, `unknown phase "nowhere"`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		f, _, stderr := cmdtest.Factory()
		cmd := NewCmdRun(f, nil)
		err := cmdtest.Exec(f, cmd, append([]string{"--config", filepath.Join(dir, "missing.yaml")}, tt.args...)...)
		if cmdutil.ExitCode(err) != summary.ExitUsage {
			t.Errorf("%v: %v (exit %d), want exit 2", tt.args, err, cmdutil.ExitCode(err))
		}
		if !strings.Contains(stderr.String(), tt.wantErr) || !strings.Contains(stderr.String(), "Run 'orchestrate run --help' for usage.") {
			t.Errorf("%v: stderr %q, want %q and the pointer to --help", tt.args, stderr, tt.wantErr)
		}
		checkRejected(t, filepath.Join(dir, "artifacts"), tt.wantErr)
	}
}
