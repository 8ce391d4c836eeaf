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
	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/ghactions"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/scaffold"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
	"github.com/orchestrate-dev/orchestrate/pkg/ui"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
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
	Resume     string
	Timeout    time.Duration
	NoCache    bool // run every phase; what they do is still recorded for the next run
	Explain    bool // print why each phase's cache hit or missed

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
			  4    needs approval (the review gate held the change before deploy:
			       orchestrate approve RUN-ID --reason "…", then --resume RUN-ID)
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
	completeFlags(cmd)
	// A flag that does not parse still ends like any run: with a summary.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return early(opts, cmdutil.FlagErrorf(err))
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
	fl.Bool("force", config.Get[scaffold.Config](&def, phase.Scaffold).Force, "overwrite generated files that were changed by hand (default: keep them, write the new version beside)")
	fl.String("inject", "", "plant a `FAULT` in the service before the test phase, to watch the loop fix it (\"list\": the faults with a site in this service): "+strings.Join(testrun.FaultNames(), ", "))
	fl.Int64("seed", 0, "place the --inject fault among its sites with this `SEED` (config phases.test.seed)")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary JSON on stdout")
	fl.StringSliceVar(&opts.Only, "only", nil, "run only these `PHASES` (comma-separated)")
	fl.StringSliceVar(&opts.Skip, "skip", nil, "skip these `PHASES` (comma-separated)")
	fl.StringVar(&opts.From, "from", "", "start at `PHASE`, skipping the ones before it")
	fl.StringVar(&opts.Resume, "resume", "", "continue run `RUN-ID`, held by the review gate and approved, from deploy")
	fl.DurationVar(&opts.Timeout, "timeout", def.Run.Timeout, "stop the run after `DURATION`")
	fl.BoolVar(&opts.NoCache, "no-cache", false, "run every phase, even one whose inputs are unchanged since it last succeeded")
	fl.BoolVar(&opts.Explain, "explain-cache", false, "print why each phase reused its recorded output or ran")
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
	if opts.RunID != "" {
		if err := artifact.ValidRunID(opts.RunID); err != nil {
			return early(opts, cmdutil.FlagErrorf(fmt.Errorf("--run-id: %w", err)))
		}
	}
	p, err := resolvePaths(opts)
	if err != nil {
		return early(opts, err)
	}
	phases := pipeline.Phases()
	sel := pipeline.Selection{Only: opts.Only, Skip: opts.Skip, From: opts.From}
	if err := sel.Check(phases); err != nil {
		return early(opts, cmdutil.FlagErrorf(err))
	}
	cfg, err := loadConfig(opts, p.config)
	if err != nil {
		return early(opts, err)
	}
	if inject := config.Get[testrun.Config](cfg, phase.Test).Inject; inject == "list" {
		return listFaults(opts.F.IOStreams.Out, p.workdir, cfg.Service.Dir)
	} else if err := checkInject(inject); err != nil {
		return early(opts, err)
	}
	var resumed map[string]any
	if opts.Resume != "" {
		if resumed, err = resume(ctx, opts, cfg, p, &sel); err != nil {
			return early(opts, cmdutil.FlagErrorf(err))
		}
	}
	runID := opts.RunID
	if runID == "" {
		runID = artifact.NewRunID(started)
	}
	// One run per workdir: a second would change the files the first is
	// testing. Taken before the run directory, so a refused run writes
	// nothing.
	lock, err := workspace.Acquire(p.workdir, runID)
	if err != nil {
		return early(opts, err)
	}
	defer lock.Release()
	st, err := newState(opts, cfg, p, runID, started)
	if err != nil {
		return early(opts, err)
	}
	if resumed != nil {
		_ = st.Run.Event("", "", "run.resumed", resumed)
	}
	versions := toolVersions(ctx, opts)
	st.Cache = pipeline.NewCache(p.artifacts, opts.NoCache, versions)
	if _, err := st.Run.WriteJSON("", "", artifact.RunFile, runJSON(opts, cfg, st, p.config, versions)); err != nil {
		// The run's evidence error (st.Run.Err): execute stops at once and
		// still ends the run with a summary.
		fmt.Fprintf(opts.F.IOStreams.ErrOut, "orchestrate: %v: stopping the run, its evidence would be incomplete\n", err)
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
	// The rule every command shares (pkg/locate): orchestrate.yaml found
	// upward from the current directory, runs in artifacts/ beside it.
	l := locate.Resolve(locate.Cwd(), opts.ConfigFile, opts.Dir, opts.Artifacts)
	p := paths{config: l.Config, workdir: l.Workdir}
	if opts.Artifacts != "" {
		p.artifacts = l.Artifacts
	}
	if err := checkWorkdir(p.workdir); err != nil {
		return p, err
	}
	p.artifacts = l.Artifacts
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
func newState(opts *Options, cfg *config.Config, p paths, runID string, started time.Time) (*pipeline.State, error) {
	f := opts.F
	_, creds := cfg.Public()
	red := redact.FromEnv(f.Environ(), append(append([]string{audit.KeyEnv}, cfg.Secrets.Env...), cfg.Notify.Env()...)...).With(creds...)
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
	opts, tr := withTranscript(opts)
	defer saveTranscript(opts, st.Run, tr)
	f := opts.F
	progress := ui.New(f.IOStreams, f.Now)
	progress.Info("run %s: artifacts in %s", st.Run.ID, st.Run.Dir)
	// Evidence that cannot be written stops the run at once: what follows
	// could not be audited.
	evCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	st.Run.OnFail(func(err error) {
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: %v: stopping the run, its evidence would be incomplete\n", err)
		stop(err)
	})
	if err := st.Run.Err(); err != nil {
		stop(err)
	}
	runCtx, cancel := pipeline.RunContext(evCtx, st.Config.Run.Timeout)
	defer cancel()
	r := &pipeline.Runner{Phases: phases, Select: sel, Observer: progress, Now: f.Now}
	r.Run(runCtx, st)
	if err := st.Run.Err(); err != nil {
		st.AddFailure(summary.Failure{Phase: "run", Class: string(failure.InternalError),
			Message: fmt.Sprintf("%v: the run stopped there; free space under %s (or choose another --artifacts) and run again", err, st.Run.Root)}, false)
	}

	// Finish with a context of its own: the run's may be cancelled, and
	// cleanup and the summary must still happen.
	out, ferr := pipeline.Finish(context.WithoutCancel(ctx), st, runCtx, f.Now, self(f, st.StartedAt))
	progress.Stop()
	if ferr != nil && out.SummaryPath == "" {
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: could not write the summary: %v\n", ferr)
		return &cmdutil.ExitError{Code: summary.ExitFailed}
	}
	if err := anchor(opts, st.Run, out.Summary.AuditHead); err != nil && ferr == nil {
		ferr = err
	}
	return finish(opts, out, ferr)
}

// anchor prints the audit log's head, to be kept outside the run (a CI
// log), and signs it when ORCHESTRATE_AUDIT_KEY is set: an anchor beside
// the log proves nothing against someone who can rewrite both.
func anchor(opts *Options, run *artifact.Run, head string) error {
	f := opts.F
	fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: audit head %s (keep it outside the run; `orchestrate audit %s --head %s` checks it)\n", head, run.ID, head)
	key := f.Getenv(audit.KeyEnv)
	if key == "" {
		return nil
	}
	if err := artifact.WriteAtomic(filepath.Join(run.Dir, audit.SigFile), []byte(audit.Sign([]byte(key), run.ID, head)), 0o644); err != nil {
		return fmt.Errorf("sign the audit head: %w", err)
	}
	return nil
}

// maxListed bounds the failures the last lines of a run list.
const maxListed = 5

func finish(opts *Options, out *pipeline.Outcome, ferr error) error {
	ios := opts.F.IOStreams
	s := out.Summary
	if ferr != nil {
		fmt.Fprintf(ios.ErrOut, "orchestrate: %v\n", ferr)
	}
	fmt.Fprintf(ios.ErrOut, "orchestrate: run %s %s in %.1fs: %d failure(s), %d note(s); summary %s\n",
		s.RunID, strings.ToUpper(string(s.Status)), s.TimeTakenSeconds, len(s.Failures), len(s.Notes), out.SummaryPath)
	for i, fl := range s.Failures {
		if i == maxListed {
			fmt.Fprintf(ios.ErrOut, "  and %d more in the summary\n", len(s.Failures)-maxListed)
			break
		}
		fmt.Fprintf(ios.ErrOut, "  %s [%s] %s\n", fl.Phase, fl.Class, fl.Message)
	}
	if opts.Explain {
		explainCache(ios.ErrOut, s)
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

// toolVersions are orchestrate's and the external tools' versions, asked
// once per run: for run.json and the phase cache's key.
func toolVersions(ctx context.Context, opts *Options) map[string]string {
	versions := map[string]string{"orchestrate": opts.F.Version}
	if opts.F.Versions != nil {
		for k, v := range opts.F.Versions(ctx) {
			if v != "" {
				versions[k] = v
			}
		}
	}
	return versions
}

func runJSON(opts *Options, cfg *config.Config, st *pipeline.State, cfgPath string, versions map[string]string) map[string]any {
	public, _ := cfg.Public()
	models := map[string]string{}
	for role, r := range cfg.LLM.Roles {
		models[role] = r.Provider + "/" + r.Model
	}
	return map[string]any{
		"run_id": st.Run.ID, "trace_id": st.Run.TraceID, "started_at": st.StartedAt.UTC(),
		"config_file": cfgPath, "workdir": st.Workdir, "offline": st.Offline,
		"selection": map[string]any{"only": opts.Only, "skip": opts.Skip, "from": opts.From},
		"versions":  versions, "models": models, "config": public,
	}
}

// early ends a run that could not start (bad flags, bad config, an
// unusable directory, a bad run id): a message and exit 2, and nothing
// written: no run directory, no summary. A usage error is the caller's to
// fix; a run that never began has no evidence to keep.
func early(opts *Options, cause error) error {
	ios := opts.F.IOStreams
	fmt.Fprintf(ios.ErrOut, "orchestrate: %v\n", cause)
	var fe *cmdutil.FlagError
	if errors.As(cause, &fe) {
		fmt.Fprintln(ios.ErrOut, "Run 'orchestrate run --help' for usage.")
	}
	return &cmdutil.ExitError{Code: summary.ExitUsage}
}

// explainCache prints what the phase cache made of each phase, and why.
func explainCache(w io.Writer, s *summary.Summary) {
	fmt.Fprintln(w, "orchestrate: phase cache:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range s.Phases {
		status, why := "-", p.SkipReason
		if p.Cache != nil {
			status, why = p.Cache.Status, p.Cache.Why
		}
		if p.Status == "skipped" {
			status = "skipped"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, status, why)
	}
	_ = tw.Flush()
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
