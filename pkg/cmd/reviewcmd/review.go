// Package reviewcmd is `orchestrate review`: the review phase's checks,
// role and gate on any repository's diff, for a pull request.
package reviewcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/ghactions"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/review"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate review`.
type Options struct {
	F          *cmdutil.Factory
	Diff       string
	Dir        string
	ConfigFile string
	Artifacts  string
	RunID      string
	JSON       bool
	Offline    bool
}

// NewCmdReview reviews a diff.
func NewCmdReview(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "review [--diff RANGE|FILE|-]",
		Short: "Review a change: secrets, gosec, risky constructs, the spec's API, the review role, the gate",
		Long: heredoc.Doc(`
			Review a diff of any Go repository the way the review phase does before
			deploy: gitleaks' detector for secrets, gosec's rules and analyzers, risky
			constructs (debug prints of secrets, hardcoded credentials, TODOs), the
			spec's API against its previous version when an orchestrate.yaml is there,
			then the review role (llm.roles.review) scores the risk. The gate escalates
			on a risk of 7 or more, any breaking change or high finding, a confidence
			below the minimum, or a broken review.

			--diff takes a git range (origin/main...HEAD), a patch file, or - for
			standard input; without it, the working tree against HEAD. The new side
			of the diff must be the working tree (a pull request's checkout).
			Markdown goes to standard output (--json: the result). Under GitHub
			Actions the findings become annotations on the diff's lines and the
			review goes to the step summary. Exchanges with the model are kept
			under artifacts/<run-id>/.

			Exit codes:
			  0    the gate passes
			  1    the review could not be done
			  2    usage error (bad flag, unreadable diff or config)
			  4    needs approval: a human must look before this is merged or deployed
		`),
		Example: heredoc.Doc(`
			$ orchestrate review --diff origin/main...HEAD
			$ git diff | orchestrate review --diff - --offline --json
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Review(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Diff, "diff", "", "the change: a git `RANGE`, a patch file or - (default: the working tree against HEAD)")
	fl.StringVar(&opts.Dir, "dir", ".", "the repository")
	fl.StringVar(&opts.ConfigFile, "config", "", "orchestrate.yaml for the model roles, the gate and the spec (default: the one in --dir, if any)")
	fl.StringVar(&opts.Artifacts, "artifacts", "", "artifacts `DIR` for the model's exchanges (default: artifacts/ in --dir)")
	fl.StringVar(&opts.RunID, "run-id", "", "`ID` of the review's folder under the artifacts")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON instead of Markdown")
	fl.BoolVar(&opts.Offline, "offline", false, "replay recorded model answers only; with none, the deterministic checks decide alone")
	return cmd
}

// Review runs the review and returns an error carrying the exit code.
func Review(ctx context.Context, opts *Options) error {
	cfg, cfgFile, err := loadConfig(opts)
	if err != nil {
		return cmdutil.FlagErrorf(err)
	}
	c, baseRev, err := change(ctx, opts)
	if err != nil {
		return cmdutil.FlagErrorf(err)
	}
	req := review.Request{Service: cfg.Service.Name, Root: opts.Dir, Change: c, Offline: cfg.LLM.Mode == llm.ModeReplay,
		Limits: config.Get[review.Config](cfg, review.Name).Thresholds()}
	if cfgFile != "" && baseRev != "" {
		if old, ok, err := review.PreviousSpec(ctx, opts.Dir, baseRev, filepath.Base(cfgFile)); err == nil && ok {
			req.Breaking = review.Breaking(old, cfg.Service, filepath.Base(cfgFile))
		}
	}
	run, err := openRun(opts, cfg)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: err}
	}
	defer run.Close()
	if _, ok := cfg.LLM.Roles[review.Role]; ok {
		router := roles.New(cfg.LLM, opts.Dir, run.Redactor(), opts.F.HTTPClient(), opts.F.Getenv, opts.F.Now)
		req.Model = &llm.Session{Roles: router, Art: run.Sub("01-review", review.Name, ""), Phase: review.Name, Meter: router.PhaseMeter(review.Name)}
	}
	res, err := review.Review(ctx, req)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("review: %w", err)}
	}
	return publish(opts, run, res)
}

func publish(opts *Options, run *artifact.Run, res review.Result) error {
	ios := opts.F.IOStreams
	md := review.Markdown(res, "")
	_, _ = run.Write("", review.Name, "review.md", []byte(md))
	_, _ = run.WriteJSON("", review.Name, "review.json", res)
	_ = run.Event("", review.Name, "review.decision", map[string]any{"escalate": res.Decision.Escalate, "reasons": res.Decision.Reasons, "change_sha256": res.ChangeSHA256})
	if opts.JSON {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(ios.Out, string(b))
	} else {
		fmt.Fprint(ios.Out, md)
	}
	if opts.F.Getenv("GITHUB_ACTIONS") == "true" {
		for _, a := range review.Annotations(res) {
			fmt.Fprintln(ios.ErrOut, a)
		}
		if p := opts.F.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			if err := appendFile(p, ghactions.StepSummary([]byte(md))); err != nil {
				fmt.Fprintf(ios.ErrOut, "orchestrate: GITHUB_STEP_SUMMARY: %v\n", err)
			}
		}
	}
	fmt.Fprintf(ios.ErrOut, "orchestrate: review %s: %s (%s)\n", run.ID, strings.ToUpper(res.Verdict()), run.Dir)
	if res.Decision.Escalate {
		return &cmdutil.ExitError{Code: summary.ExitNeedsApproval}
	}
	return nil
}

func appendFile(p string, b []byte) error {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// loadConfig reads --config, or orchestrate.yaml in --dir when there is
// one; without either, the defaults (no model: the checks decide alone).
func loadConfig(opts *Options) (*config.Config, string, error) {
	file := opts.ConfigFile
	if file == "" {
		if p := filepath.Join(opts.Dir, config.FileName); fileExists(p) {
			file = p
		}
	}
	if file == "" {
		def := pipeline.Default()
		return &def, "", nil
	}
	l := &config.Loader{Sections: pipeline.Sections(), Viper: viper.New(), Environ: opts.F.Environ}
	cfg, err := l.Load(file)
	if err != nil {
		return nil, "", err
	}
	if opts.Offline {
		cfg.LLM.Mode = llm.ModeReplay
	}
	return cfg, file, nil
}

// change reads the diff --diff names, and the revision the spec is
// compared with ("" for a patch).
func change(ctx context.Context, opts *Options) (review.Change, string, error) {
	switch d := opts.Diff; {
	case d == "":
		// The review's own artifacts are not part of the change.
		c, err := review.WorkingChange(ctx, opts.Dir, ".", ":(exclude)artifacts")
		return c, "HEAD", err
	case d == "-":
		b, err := io.ReadAll(opts.F.IOStreams.In)
		if err != nil {
			return review.Change{}, "", fmt.Errorf("--diff -: %w", err)
		}
		c, err := review.ParsePatch("standard input", string(b))
		return c, "", err
	case fileExists(d):
		b, err := os.ReadFile(d)
		if err != nil {
			return review.Change{}, "", fmt.Errorf("--diff %s: %w", d, err)
		}
		c, err := review.ParsePatch(d, string(b))
		return c, "", err
	default:
		c, err := review.RangeChange(ctx, opts.Dir, d)
		if err != nil {
			return c, "", fmt.Errorf("--diff %s: not a patch file, and not a git range here: %w", d, err)
		}
		base, _, _ := strings.Cut(strings.Replace(d, "...", "..", 1), "..")
		return c, base, nil
	}
}

func openRun(opts *Options, cfg *config.Config) (*artifact.Run, error) {
	dir := opts.Artifacts
	if dir == "" {
		dir = filepath.Join(opts.Dir, "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	id := opts.RunID
	if id == "" {
		id = "review-" + artifact.NewRunID(opts.F.Now())
	}
	red := redact.FromEnv(opts.F.Environ(), cfg.Secrets.Env...)
	return artifact.Create(dir, id, artifact.NewTraceID(), red, opts.F.Now)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
