package run

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil/cmdtest"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
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

// A flag that does not parse is a usage error: exit 2, the message, and
// nothing written.
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
			dir := t.TempDir()
			art := filepath.Join(dir, "artifacts")
			f, stdout, stderr := cmdtest.Factory()
			got, err := cmdtest.Parse(f, NewCmdRun, append([]string{"--config", filepath.Join(dir, "orchestrate.yaml"), "--artifacts", art, "--json"}, tt.args...)...)
			if cmdutil.ExitCode(err) != summary.ExitUsage || got != nil {
				t.Fatalf("got %+v, %v (exit %d); want exit 2 without running", got, err, cmdutil.ExitCode(err))
			}
			want := "orchestrate: " + tt.wantErr
			if !strings.HasPrefix(stderr.String(), want) || !strings.HasSuffix(stderr.String(), "\nRun 'orchestrate run --help' for usage.\n") {
				t.Errorf("stderr %q, want %q and the pointer to --help", stderr, want)
			}
			checkNothingWritten(t, dir)
			if stdout.Len() > 0 {
				t.Errorf("stdout %q for a usage error", stdout)
			}
		})
	}
}

// checkNothingWritten fails when dir holds anything but the config file.
func checkNothingWritten(t *testing.T, dir string) {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p != dir && filepath.Base(p) != "orchestrate.yaml" {
			found = append(found, p)
		}
		return nil
	})
	if len(found) > 0 {
		t.Errorf("a usage error wrote %v", found)
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
// is a usage error that writes nothing.
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
		checkNothingWritten(t, dir)
	}
}

// A missing or broken config, a run id that is no directory name and a
// workdir another run holds are usage errors: exit 2, the reason, and no
// run directory or summary.
func TestRunUsageErrorsWriteNothing(t *testing.T) {
	tests := []struct {
		name    string
		config  string // "" leaves the file out
		args    []string
		lock    string // a run holding the workdir
		wantErr string
	}{
		{name: "missing config", wantErr: "config file not found"},
		{name: "broken config", config: "version: 1\nservice:\n  name: [unclosed\n", wantErr: "not valid YAML"},
		{name: "second YAML document", config: "version: 1\n---\nversion: 1\n", wantErr: "one YAML document"},
		{name: "run id leaving the directory", config: "version: 1\n", args: []string{"--run-id", "../x"}, wantErr: `--run-id: run id "../x": use letters`},
		{name: "run id with a slash", config: "version: 1\n", args: []string{"--run-id", "a/b"}, wantErr: `run id "a/b"`},
		{name: "workdir held by another run", config: minimalConfig, lock: "holder-run-7", wantErr: "in use by run holder-run-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "orchestrate.yaml")
			if tt.config != "" {
				if err := os.WriteFile(cfg, []byte(tt.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.lock != "" {
				l, err := workspace.Acquire(dir, tt.lock)
				if err != nil {
					t.Fatal(err)
				}
				defer func() {
					if err := l.Release(); err != nil {
						t.Error(err)
					}
				}()
			}
			f, stdout, stderr := cmdtest.Factory()
			err := cmdtest.Exec(f, NewCmdRun(f, nil), append([]string{"--config", cfg, "--json"}, tt.args...)...)
			if cmdutil.ExitCode(err) != summary.ExitUsage {
				t.Errorf("exit %d (%v), want 2", cmdutil.ExitCode(err), err)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q, want %q", stderr, tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q for a usage error", stdout)
			}
			var found []string
			_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if p != dir && p != cfg && filepath.Base(p) != workspace.LockFile {
					found = append(found, p)
				}
				return nil
			})
			if len(found) > 0 {
				t.Errorf("a usage error wrote %v", found)
			}
		})
	}
}

// minimalConfig is a valid config with a one-endpoint service.
const minimalConfig = `version: 1
service:
  name: lockcheck
  module: example.com/lockcheck
  description: answers health checks
  endpoints:
    - method: GET
      path: /healthz
      description: health
      examples:
        - name: healthy
          status: 200
          response: {status: ok}
`

// run.json keeps the config without the credentials of a base_url.
func TestRunJSONMasksBaseURLCredentials(t *testing.T) {
	cfg := config.Default()
	cfg.LLM.Providers = map[string]config.Provider{"azure": {Kind: "openai", BaseURL: "https://bob:pw-0123456789@x.example.com/openai?api-key=abc123secret"}}
	run, err := artifact.Create(t.TempDir(), "r1", "trace", redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	f, _, _ := cmdtest.Factory()
	b, err := json.Marshal(runJSON(&Options{F: f}, &cfg, &pipeline.State{Run: run}, "orchestrate.yaml", nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "abc123secret") || strings.Contains(string(b), "pw-0123456789") || !strings.Contains(string(b), "api-key=REDACTED") {
		t.Errorf("run.json: %s", b)
	}
}
