// Package triagecmd is `orchestrate triage`: the deterministic classifier
// on a log from anywhere.
package triagecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/testrun"
	"github.com/orchestrate-dev/orchestrate/pkg/triage"
)

// Options of `orchestrate triage`.
type Options struct {
	F          *cmdutil.Factory
	Log        string
	JSON       bool
	Offline    bool
	ConfigFile string
}

// NewCmdTriage classifies the failures in a log; runF replaces the work
// in flag tests.
func NewCmdTriage(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "triage --log FILE",
		Short: "Classify the failures in a log: go test (plain or -json), go build, docker build, container logs",
		Long: heredoc.Doc(`
			Read a log from anywhere (a failed CI job, a container, a colleague's
			terminal) and print each failure the deterministic classifier finds:
			class, owner, signature, location and the lines that matter. The
			signature is stable across runs and machines (durations, ports,
			addresses, temporary paths are normalised), so two logs with the same
			failure give the same signature. --log - reads standard input.

			When orchestrate.yaml (--config) maps the triage role to a model and
			--offline is not given, the first failure also goes to that model,
			with only the lines that matter: its class, root cause and confidence
			are printed, and the exchange is kept under artifacts/<id>-triage/.
			Its proposed edits are shown, never applied.
		`),
		Example: "  $ go test -json ./... > test.log; orchestrate triage --log test.log\n  $ docker logs my-service 2>&1 | orchestrate triage --log - --json",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Log == "" {
				return cmdutil.FlagErrorf(fmt.Errorf("--log FILE is required (- for standard input)"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Log, "log", "", "the log `FILE`, or - for standard input")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the failures as JSON")
	cmd.Flags().BoolVar(&opts.Offline, "offline", false, "the deterministic classifier only: ask no model")
	cmd.Flags().StringVar(&opts.ConfigFile, "config", config.FileName, "config `FILE` naming the triage role (when it exists and names one, the first failure goes to that model)")
	return cmd
}

// Report is what `orchestrate triage --json` prints.
type Report struct {
	Log      string           `json:"log"`
	Kind     triage.Kind      `json:"kind"`
	Failures []triage.Failure `json:"failures"`
	// Model is the triage role's reading of the first failure.
	Model      *testrun.Answer `json:"model,omitempty"`
	ModelFiles []string        `json:"model_files,omitempty"` // prompt and response
	ModelError string          `json:"model_error,omitempty"`
}

// Run classifies the log.
func Run(ctx context.Context, opts *Options) error {
	ios := opts.F.IOStreams
	var b []byte
	var err error
	if opts.Log == "-" {
		b, err = io.ReadAll(io.LimitReader(ios.In, 256<<20))
	} else {
		b, err = os.ReadFile(opts.Log)
	}
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitUsage, Err: fmt.Errorf("read the log: %w", err)}
	}
	text := string(b)
	rep := Report{Log: opts.Log, Kind: triage.Detect(text), Failures: triage.Classify(text)}
	if rep.Failures == nil {
		rep.Failures = []triage.Failure{}
	}
	if !opts.Offline && len(rep.Failures) > 0 {
		rep.Model, rep.ModelFiles, err = askModel(ctx, opts, rep.Failures[0])
		if err != nil {
			rep.ModelError = err.Error()
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(ios.Out, "%s: a %s log, %d failure(s)\n", opts.Log, rep.Kind, len(rep.Failures))
	for i, f := range rep.Failures {
		fmt.Fprintf(ios.Out, "\n%d. %s (owner: %s) at %s\n", i+1, f.Class, f.Owner, f.Where())
		if f.Test != "" {
			fmt.Fprintf(ios.Out, "   test: %s %s\n", f.Package, f.Test)
		}
		fmt.Fprintf(ios.Out, "   message: %s\n   signature: %s\n   evidence:\n", f.Message, f.Signature)
		for _, l := range f.Evidence {
			fmt.Fprintf(ios.Out, "     | %s\n", strings.TrimRight(l, "\n"))
		}
	}
	switch {
	case rep.Model != nil:
		fmt.Fprintf(ios.Out, "\ntriage role on failure 1: %s, confidence %.2f\n   root cause: %s\n", rep.Model.Class, rep.Model.Confidence, rep.Model.RootCause)
		for _, e := range rep.Model.Edits {
			fmt.Fprintf(ios.Out, "   proposed edit (not applied) to %s\n", e.Path)
		}
		fmt.Fprintf(ios.Out, "   exchange: %s\n", strings.Join(rep.ModelFiles, ", "))
	case rep.ModelError != "" && rep.ModelError != errNoRole.Error():
		fmt.Fprintf(ios.ErrOut, "triage role: %s\n", rep.ModelError)
	}
	return nil
}

var errNoRole = errors.New("no triage role configured")

// askModel sends the first failure to the triage role, when the config
// names one. The exchange is kept in a run directory of its own.
func askModel(ctx context.Context, opts *Options, f triage.Failure) (*testrun.Answer, []string, error) {
	fac := opts.F
	paths := locate.Resolve(locate.Cwd(), opts.ConfigFile, "", "")
	if _, err := os.Stat(paths.Config); err != nil {
		return nil, nil, errNoRole
	}
	cfg, err := (&config.Loader{Sections: pipeline.Sections(), Viper: viper.New(), Environ: fac.Environ}).Load(paths.Config)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := cfg.LLM.Roles[testrun.Role]; !ok {
		return nil, nil, errNoRole
	}
	workdir := paths.Workdir
	red := redact.FromEnv(fac.Environ(), cfg.Secrets.Env...)
	run, err := artifact.Create(paths.Artifacts, artifact.NewRunID(fac.Now())+"-triage", artifact.NewTraceID(), red, fac.Now)
	if err != nil {
		return nil, nil, err
	}
	defer run.Close()
	router := roles.New(cfg.LLM, workdir, red, fac.HTTPClient(), fac.Getenv, fac.Now)
	sess := &llm.Session{Roles: router, Art: run.Sub("triage", "triage", artifact.NewSpanID()), Phase: "triage", Meter: router.PhaseMeter("triage")}
	// The question the test loop would ask: the code it reaches in this
	// workdir, the spec's words, the taxonomy.
	p, err := testrun.Question(workdir, cfg.Service, []triage.Failure{f}, config.Get[testrun.Config](cfg, phase.Test).PromptBytes)
	if err != nil {
		return nil, nil, err
	}
	rep, err := llm.AskFor[testrun.Answer](ctx, sess, llm.Ask{Role: testrun.Role, Prompt: p, Schema: testrun.AnswerSchema, SchemaName: "triage"})
	if err != nil {
		return nil, rep.Exchange.Files, err
	}
	return &rep.Answer, rep.Exchange.Files, nil
}
