// Package run is `orchestrate run`.
package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/ghactions"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
	"github.com/orchestrate-dev/orchestrate/pkg/ui"
)

// Options are the flags and dependencies of `orchestrate run`.
type Options struct {
	F *cmdutil.Factory

	ConfigFile string
	Dir        string
	Artifacts  string
	RunID      string
	Offline    bool
	Keep       bool
	JSON       bool
	Only       []string
	Skip       []string
	From       string
	Timeout    time.Duration

	// flags binds config keys to the flags that override them.
	flags map[string]*pflag.Flag
}

// NewCmdRun builds the command; runF replaces the work in flag tests.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the pipeline: " + strings.Join(pipeline.Names(), ", "),
		Long: heredoc.Doc(`
			Run the pipeline on the service spec in orchestrate.yaml. Every prompt,
			response, diff, log and decision is kept under artifacts/<run-id>/, and
			artifacts/summary-<UTC timestamp>.json is written at the end of every
			run, whatever happened.

			Exit codes:
			  0    success
			  1    failed
			  2    usage or configuration error
			  3    partial (the code is fine; part of the environment was missing)
			  130  interrupted (Ctrl-C, SIGTERM)
		`),
		Example: heredoc.Doc(`
			# the whole pipeline, replaying the committed model answers
			$ orchestrate run --offline

			# only the report, from another directory
			$ orchestrate run --config ../svc/orchestrate.yaml --only report

			# resume from lint, print the summary JSON on stdout
			$ orchestrate run --from lint --json
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Only = pipeline.SplitPhases(opts.Only)
			opts.Skip = pipeline.SplitPhases(opts.Skip)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	opts.flags = addFlags(cmd.Flags(), opts)
	// A flag that does not parse still ends like any run: with a summary.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return early(opts, f.Now(), defaultArtifacts(opts), failure.ConfigError, cmdutil.FlagErrorf(err))
	})
	return cmd
}

// addFlags declares the flags of `orchestrate run` and returns the config
// keys they override.
func addFlags(fl *pflag.FlagSet, opts *Options) map[string]*pflag.Flag {
	def := pipeline.Default()
	fl.StringVar(&opts.ConfigFile, "config", config.FileName, "config `FILE`")
	fl.StringVar(&opts.Dir, "dir", "", "workdir holding service/ and tests/ (default: the config file's directory)")
	fl.StringVar(&opts.Artifacts, "artifacts", "", "artifacts `DIR` (default: artifacts/ in the workdir)")
	fl.StringVar(&opts.RunID, "run-id", "", "run `ID` (default: a new one, sortable by time)")
	fl.BoolVar(&opts.Offline, "offline", false, "replay recorded model answers only; a cache miss is an error, no network")
	fl.BoolVar(&opts.Keep, "keep", def.Docker.Keep, "leave the service's containers running at the end")
	fl.Bool("force", def.Phases.Scaffold.Force, "overwrite generated files that were changed by hand (default: keep them, write the new version beside)")
	fl.String("inject", "", "plant a `FAULT` in the service before the test phase, to watch the loop fix it (\"list\": the faults with a site in this service): "+strings.Join(testrun.FaultNames(), ", "))
	fl.Int64("seed", 0, "place the --inject fault among its sites with this `SEED` (config phases.test.seed)")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary JSON on stdout")
	fl.StringSliceVar(&opts.Only, "only", nil, "run only these `PHASES` (comma-separated)")
	fl.StringSliceVar(&opts.Skip, "skip", nil, "skip these `PHASES` (comma-separated)")
	fl.StringVar(&opts.From, "from", "", "start at `PHASE`, skipping the ones before it")
	fl.DurationVar(&opts.Timeout, "timeout", def.Run.Timeout, "stop the run after `DURATION`")
	return map[string]*pflag.Flag{
		"run.timeout":           fl.Lookup("timeout"),
		"docker.keep":           fl.Lookup("keep"),
		"phases.scaffold.force": fl.Lookup("force"),
		"phases.test.inject":    fl.Lookup("inject"),
		"phases.test.seed":      fl.Lookup("seed"),
	}
}

// Run runs the pipeline and returns an error carrying the exit code.
func Run(ctx context.Context, opts *Options) error {
	started := opts.F.Now()
	p, err := resolvePaths(opts)
	if err != nil {
		return early(opts, started, p.artifacts, failure.ConfigError, err)
	}
	phases := pipeline.Phases()
	sel := pipeline.Selection{Only: opts.Only, Skip: opts.Skip, From: opts.From}
	if err := sel.Check(phases); err != nil {
		return early(opts, started, p.artifacts, failure.ConfigError, cmdutil.FlagErrorf(err))
	}
	cfg, err := loadConfig(opts, p.config)
	if err != nil {
		return early(opts, started, p.artifacts, failure.ConfigError, err)
	}
	if cfg.Phases.Test.Inject == "list" {
		return listFaults(opts.F.IOStreams.Out, p.workdir, cfg.Service.Dir)
	}
	if err := checkInject(cfg.Phases.Test.Inject); err != nil {
		return early(opts, started, p.artifacts, failure.ConfigError, err)
	}
	st, err := newState(opts, cfg, p, started)
	if err != nil {
		return early(opts, started, p.artifacts, failure.ConfigError, err)
	}
	if _, err := st.Run.WriteJSON("", "", artifact.RunFile, runJSON(ctx, opts, cfg, st, p.config)); err != nil {
		_ = st.Run.Close()
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("write run.json: %w", err)}
	}
	return execute(ctx, opts, phases, sel, st)
}

// paths are where a run reads and writes.
type paths struct {
	config    string // the config file, absolute
	workdir   string // holds service/ and tests/, absolute
	artifacts string // where the run directory and the summary go
}

// resolvePaths finds the config file, the workdir and the artifacts
// directory. On error, artifacts is where the summary of the rejected run
// may still go.
func resolvePaths(opts *Options) (paths, error) {
	var p paths
	var err error
	if p.config, err = filepath.Abs(opts.ConfigFile); err != nil {
		return p, err
	}
	p.workdir = opts.Dir
	if p.workdir == "" {
		p.workdir = filepath.Dir(p.config)
	}
	if p.workdir, err = filepath.Abs(p.workdir); err != nil {
		return p, err
	}
	p.artifacts = opts.Artifacts
	if err := checkWorkdir(p.workdir); err != nil {
		return p, err
	}
	if p.artifacts == "" {
		p.artifacts = filepath.Join(p.workdir, "artifacts")
	}
	return p, nil
}

// loadConfig reads the config file under the environment and the flags;
// --offline wins over the configured mode.
func loadConfig(opts *Options, path string) (*config.Config, error) {
	loader := &config.Loader{Sections: pipeline.Sections(), Viper: viper.New(), Environ: opts.F.Environ, Flags: opts.flags}
	cfg, err := loader.Load(path)
	if err != nil {
		return nil, err
	}
	if opts.Offline {
		cfg.LLM.Mode = llm.ModeReplay
	}
	return cfg, nil
}

// checkInject rejects a fault --inject (or phases.test.inject) does not know.
func checkInject(in string) error {
	if in != "" && !slices.Contains(testrun.FaultNames(), in) {
		return cmdutil.FlagErrorf(fmt.Errorf("--inject %q: not a known fault; use one of %s", in, strings.Join(testrun.FaultNames(), ", ")))
	}
	return nil
}

// newState creates the run directory and the state the phases share.
func newState(opts *Options, cfg *config.Config, p paths, started time.Time) (*pipeline.State, error) {
	f := opts.F
	runID := opts.RunID
	if runID == "" {
		runID = artifact.NewRunID(started)
	}
	red := redact.FromEnv(f.Environ(), append(cfg.Secrets.Env, cfg.Notify.Env()...)...)
	run, err := artifact.Create(p.artifacts, runID, artifact.NewTraceID(), red, f.Now)
	if err != nil {
		return nil, err
	}
	return &pipeline.State{Config: cfg, Workdir: p.workdir, Run: run, Offline: cfg.LLM.Mode == llm.ModeReplay, StartedAt: started, Environ: f.Environ(),
		Roles: roles.New(cfg.LLM, p.workdir, red, f.HTTPClient(), f.Getenv, f.Now)}, nil
}

// execute runs the phases under the run's deadline and the signal, then
// finishes the run: cleanup, summary, report.
func execute(ctx context.Context, opts *Options, phases []pipeline.Phase, sel pipeline.Selection, st *pipeline.State) error {
	f := opts.F
	progress := ui.New(f.IOStreams, f.Now)
	progress.Info("run %s: artifacts in %s", st.Run.ID, st.Run.Dir)
	runCtx, cancel := pipeline.RunContext(ctx, st.Config.Run.Timeout)
	defer cancel()
	r := &pipeline.Runner{Phases: phases, Select: sel, Observer: progress, Now: f.Now}
	r.Run(runCtx, st)

	// Finish with a context of its own: the run's may be cancelled, and
	// cleanup and the summary must still happen.
	out, ferr := pipeline.Finish(context.WithoutCancel(ctx), st, runCtx, f.Now, self(f, st.StartedAt))
	progress.Stop()
	if ferr != nil && out.SummaryPath == "" {
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: could not write the summary: %v\n", ferr)
		return &cmdutil.ExitError{Code: summary.ExitFailed}
	}
	return finish(opts, out, ferr)
}

func finish(opts *Options, out *pipeline.Outcome, ferr error) error {
	ios := opts.F.IOStreams
	s := out.Summary
	if ferr != nil {
		fmt.Fprintf(ios.ErrOut, "orchestrate: %v\n", ferr)
	}
	fmt.Fprintf(ios.ErrOut, "orchestrate: run %s %s in %.1fs: %d failure(s); summary %s\n",
		s.RunID, strings.ToUpper(string(s.Status)), s.TimeTakenSeconds, len(s.Failures), out.SummaryPath)
	for _, fl := range s.Failures {
		fmt.Fprintf(ios.ErrOut, "  %s [%s] %s\n", fl.Phase, fl.Class, fl.Message)
	}
	if page := filepath.Join(s.ArtifactsDir, "report.html"); fileExists(page) {
		fmt.Fprintf(ios.ErrOut, "orchestrate: report %s (and report.md beside it)\n", page)
	}
	// Under GitHub Actions: the report in the step summary, failures as
	// annotations (on stderr, which the job log shows, so --json stays clean).
	md, _ := os.ReadFile(filepath.Join(s.ArtifactsDir, "report.md"))
	if err := ghactions.Publish(opts.F.Getenv, ios.ErrOut, s, md); err != nil {
		fmt.Fprintf(ios.ErrOut, "orchestrate: %v\n", err)
	}
	if opts.JSON {
		b, _ := artifact.MarshalJSON(s)
		_, _ = ios.Out.Write(b)
	}
	if s.ExitCode == 0 {
		return nil
	}
	return &cmdutil.ExitError{Code: s.ExitCode}
}

func defaultArtifacts(opts *Options) string {
	if opts.Artifacts != "" {
		return opts.Artifacts
	}
	dir := opts.Dir
	if dir == "" {
		dir = filepath.Dir(opts.ConfigFile)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return filepath.Join(dir, "artifacts")
}

func checkWorkdir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("workdir %s does not exist: create it or pass another --dir", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("workdir %s is not a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".orchestrate-probe-*")
	if err != nil {
		return fmt.Errorf("workdir %s is not writable (%v): the run writes service/ and tests/ there; pass another --dir", dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

func self(f *cmdutil.Factory, t time.Time) phase.ToolUse {
	return phase.ToolUse{Time: t, Phase: "run", Tool: "orchestrate", Version: f.Version, Role: "orchestrator",
		Why: "Drives the phases in order, owns artifacts, budgets and the audit log, so every tool below is invoked the same way and recorded."}
}

func runJSON(ctx context.Context, opts *Options, cfg *config.Config, st *pipeline.State, cfgPath string) map[string]any {
	versions := map[string]string{"orchestrate": opts.F.Version}
	if opts.F.Versions != nil {
		for k, v := range opts.F.Versions(ctx) {
			if v != "" {
				versions[k] = v
			}
		}
	}
	models := map[string]string{}
	for role, r := range cfg.LLM.Roles {
		models[role] = r.Provider + "/" + r.Model
	}
	return map[string]any{
		"run_id": st.Run.ID, "trace_id": st.Run.TraceID, "started_at": st.StartedAt.UTC(),
		"config_file": cfgPath, "workdir": st.Workdir, "offline": st.Offline,
		"selection": map[string]any{"only": opts.Only, "skip": opts.Skip, "from": opts.From},
		"versions":  versions, "models": models, "config": cfg,
	}
}

// early ends a run that could not start (bad flags, bad config, an
// unusable directory) the way every run ends: with a message, the right
// exit code and, where an artifacts directory can be had, a summary.
func early(opts *Options, started time.Time, artifacts string, class failure.Class, cause error) error {
	ios := opts.F.IOStreams
	code := summary.ExitUsage
	fmt.Fprintf(ios.ErrOut, "orchestrate: %v\n", cause)
	var fe *cmdutil.FlagError
	if errors.As(cause, &fe) {
		fmt.Fprintln(ios.ErrOut, "Run 'orchestrate run --help' for usage.")
	}
	if artifacts == "" && opts.Artifacts != "" {
		artifacts = opts.Artifacts
	}
	if p, err := WriteRejected(opts.F, artifacts, started, class, cause, code); err != nil {
		fmt.Fprintf(ios.ErrOut, "orchestrate: no summary written: %v\n", err)
	} else {
		fmt.Fprintf(ios.ErrOut, "orchestrate: summary %s\n", p)
		if opts.JSON {
			if b, err := os.ReadFile(p); err == nil {
				_, _ = ios.Out.Write(b)
			}
		}
	}
	return &cmdutil.ExitError{Code: code}
}

// WriteRejected records a run that never started: a run directory with its
// audit log, and a failed summary naming the reason.
func WriteRejected(f *cmdutil.Factory, artifacts string, started time.Time, class failure.Class, cause error, code int) (string, error) {
	if artifacts == "" {
		return "", errors.New("no usable artifacts directory")
	}
	if _, err := os.Stat(filepath.Dir(filepath.Clean(artifacts))); err != nil {
		return "", fmt.Errorf("artifacts directory %s: its parent does not exist", artifacts)
	}
	red := redact.FromEnv(f.Environ())
	run, err := artifact.Create(artifacts, artifact.NewRunID(started), artifact.NewTraceID(), red, f.Now)
	if err != nil {
		return "", err
	}
	_ = run.Event("", "", "run.rejected", map[string]any{"class": string(class), "reason": cause.Error()})
	_ = run.Close()
	now := f.Now()
	s := &summary.Summary{
		SchemaVersion: summary.SchemaVersion, RunID: run.ID, Status: summary.Failed, ExitCode: code,
		StartedAt: started.UTC(), FinishedAt: now.UTC(), TimeTakenSeconds: now.Sub(started).Seconds(),
		TraceID:   run.TraceID,
		ToolsUsed: []summary.Tool{{Name: "orchestrate", Version: f.Version, Role: "orchestrator"}},
		Failures:  []summary.Failure{{Phase: "run", Class: string(class), Message: red.String(cause.Error())}},
		Recommendations: []string{
			"Fix the problem named in the failure and run again; `orchestrate run --help` lists the flags and `orchestrate config` prints the effective configuration.",
			"Check the configuration in CI before the pipeline runs: `orchestrate config` exits 2 on the same errors, in a second.",
			"Keep orchestrate.yaml under review like code: the README documents every key, and unknown keys are rejected rather than ignored.",
		},
		Phases: []summary.Phase{}, ArtifactsDir: run.Dir, AuditHead: run.Head(),
	}
	return summary.Write(run.Root, s)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// listFaults prints the faults --inject knows and where each applies in
// this service; it runs nothing and writes nothing.
func listFaults(w io.Writer, workdir, dir string) error {
	fs, err := testrun.ListFaults(workdir, dir)
	if err != nil {
		return cmdutil.FlagErrorf(fmt.Errorf("--inject list: %w", err))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tSITES\tEXPECTED CLASS\tWHAT")
	for _, f := range fs {
		sites := fmt.Sprint(f.Sites)
		if f.Sites < 0 {
			sites = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, sites, f.Class, f.What)
	}
	return tw.Flush()
}
