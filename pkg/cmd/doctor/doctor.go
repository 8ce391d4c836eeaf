// Package doctor is `orchestrate doctor`.
package doctor

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/llm/roles"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate doctor`.
type Options struct {
	F          *cmdutil.Factory
	ConfigFile string
	Artifacts  string
	Offline    bool
	Timeout    time.Duration
}

// NewCmdDoctor checks what a run will need.
func NewCmdDoctor(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check what a run needs: go, Docker, each role's model, the cache, the artifacts directory",
		Long: `Check what a run will need and say what to fix: go on PATH, the Docker daemon,
each role's provider and model (Ollama: the model is pulled; OpenAI-compatible:
the server lists it), the replay cache and the artifacts directory. With
--offline the cache is checked instead of the providers, and no network
connection is made. Exits 0 when everything is there, 1 with one line per
problem otherwise.`,
		Example: `  $ orchestrate doctor
  $ OPENAI_BASE_URL=http://127.0.0.1:8000/v1 orchestrate doctor
  $ orchestrate doctor --offline`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// A limit of zero or less fails every probe at once, which
			// would read as servers that are down.
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf(fmt.Errorf("--timeout %s: each check needs a time limit above zero", opts.Timeout))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Doctor(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ConfigFile, "config", config.FileName, "config `FILE`")
	cmd.Flags().StringVar(&opts.Artifacts, "artifacts", "", "artifacts `DIR` (default: artifacts/ beside the config)")
	cmd.Flags().BoolVar(&opts.Offline, "offline", false, "check the replay cache instead of the providers")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "time limit of each check")
	return cmd
}

type check struct {
	name string
	ok   bool
	msg  string
}

// checks are the results in the order they are printed.
type checks []check

// add records a check: failed with err's message, or passed with okMsg.
func (cs *checks) add(name string, err error, okMsg string) {
	if err != nil {
		*cs = append(*cs, check{name, false, err.Error()})
	} else {
		*cs = append(*cs, check{name, true, okMsg})
	}
}

// Doctor runs the checks and prints one line each.
func Doctor(ctx context.Context, opts *Options) error {
	f := opts.F
	l := &config.Loader{Sections: pipeline.Sections(), Viper: viper.New(), Environ: f.Environ}
	cfgFile := locate.Config(locate.Cwd(), opts.ConfigFile)
	cfg, err := l.Load(cfgFile)
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitUsage, Err: err}
	}
	workdir := filepath.Dir(cfgFile)
	var cs checks
	cs.tools(f.Versions(ctx))
	cacheDir := cfg.LLM.CacheDir
	if !filepath.IsAbs(cacheDir) {
		cacheDir = filepath.Join(workdir, cacheDir)
	}
	if opts.Offline || cfg.LLM.Mode == llm.ModeReplay {
		cs.cache(cacheDir)
	} else {
		cs.roles(ctx, opts, cfg)
		cs.add("cache", readable(cacheDir), "readable: "+cacheDir)
	}
	art := opts.Artifacts
	if art == "" {
		art = filepath.Join(workdir, "artifacts")
	}
	cs.add("artifacts", writable(art), "writable: "+art)
	if bad := cs.print(f.IOStreams.Out); bad > 0 {
		if hint := offlineHint(opts, cfg, cs, cacheDir); hint != "" {
			fmt.Fprintln(f.IOStreams.ErrOut, hint)
		}
		return &cmdutil.ExitError{Code: summary.ExitFailed, Err: fmt.Errorf("doctor: %d problem(s) to fix", bad)}
	}
	return nil
}

// tools checks the go toolchain and the Docker daemon from their versions.
func (cs *checks) tools(v map[string]string) {
	cs.add("go", need(v["go"], "go is not on PATH: install Go 1.26+ (https://go.dev/dl) — scaffold, lint and test build with it"), v["go"])
	cs.add("docker", need(v["docker"], "the Docker daemon is not reachable: start it (`sudo systemctl start docker`) or set DOCKER_HOST; without it, skip deploy and test"), "daemon "+v["docker"])
}

// cache checks that the replay cache holds answers, for offline runs.
func (cs *checks) cache(dir string) {
	n, err := countEntries(dir)
	if err == nil && n == 0 {
		err = fmt.Errorf("%s holds no recorded answers: --offline runs will fail; run once against a model to record them", dir)
	}
	cs.add("cache", err, fmt.Sprintf("%d recorded answers in %s", n, dir))
}

// roles probes each role's provider and model, in the order of their names.
func (cs *checks) roles(ctx context.Context, opts *Options, cfg *config.Config) {
	names := make([]string, 0, len(cfg.LLM.Roles))
	for n := range cfg.LLM.Roles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		rc := cfg.LLM.Roles[name]
		p := cfg.LLM.Providers[rc.Provider]
		cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		msg, err := probe(cctx, opts.F, p, rc.Model)
		cancel()
		cs.add("role "+name, err, msg)
	}
}

// print writes one line per check and returns how many failed.
func (cs checks) print(out io.Writer) int {
	bad := 0
	for _, c := range cs {
		mark := "ok  "
		if !c.ok {
			mark = "FAIL"
			bad++
		}
		fmt.Fprintf(out, "%s %-14s %s\n", mark, c.name, c.msg)
	}
	return bad
}

// probe checks that a provider answers and serves the model.
func probe(ctx context.Context, f *cmdutil.Factory, p config.Provider, model string) (string, error) {
	switch p.Kind {
	case "ollama":
		prov, err := roles.Ollama(p, f.HTTPClient(), f.Getenv, f.Now)
		if err != nil {
			return "", err
		}
		ver, err := prov.Version(ctx)
		if err != nil {
			return "", fmt.Errorf("ollama is not reachable (%v): start it with `ollama serve`, or set OLLAMA_HOST", err)
		}
		if err := prov.HasModel(ctx, model); err != nil {
			return "", err
		}
		return fmt.Sprintf("ollama %s serves %s", ver, model), nil
	case "openai":
		prov := roles.OpenAI(p, f.HTTPClient(), f.Getenv, f.Now)
		models, err := prov.Models(ctx)
		if err != nil {
			hint := llm.Hint(err)
			if hint == "" {
				hint = "check OPENAI_BASE_URL (or llm.providers.<name>.base_url) and that the server is up"
			}
			return "", fmt.Errorf("%v: %s", err, hint)
		}
		if !slices.Contains(models, model) {
			return "", fmt.Errorf("the server does not list model %q (it lists: %s): fix llm.roles.<role>.model", model, clip(strings.Join(models, ", ")))
		}
		return "openai-compatible server lists " + model, nil
	}
	return "", fmt.Errorf("unknown provider kind %q", p.Kind)
}

func need(v, problem string) error {
	if v == "" {
		return fmt.Errorf("%s", problem)
	}
	return nil
}

func countEntries(dir string) (int, error) {
	n := 0
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return 0, fmt.Errorf("cache %s does not exist: --offline runs will fail; run once against a model to record answers, or restore the committed cache", dir)
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cache %s is not readable: %v", dir, err)
	}
	return n, nil
}

func readable(dir string) error {
	if _, err := os.ReadDir(dir); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cache %s is not readable: %v", dir, err)
	}
	return nil
}

func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("artifacts dir %s cannot be created: %v", dir, err)
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		return fmt.Errorf("artifacts dir %s is not writable: %v", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// offlineHint is what a fresh clone needs to hear when its models are not
// reachable: the committed answers replay with --offline, no model needed.
func offlineHint(opts *Options, cfg *config.Config, cs checks, cacheDir string) string {
	if opts.Offline || cfg.LLM.Mode == llm.ModeReplay {
		return ""
	}
	rolesFailed := false
	for _, c := range cs {
		if !c.ok && strings.HasPrefix(c.name, "role ") {
			rolesFailed = true
		}
	}
	n, err := countEntries(cacheDir)
	if !rolesFailed || err != nil || n == 0 {
		return ""
	}
	return fmt.Sprintf("No model needed to try it: %s holds %d recorded answers, and `orchestrate run --offline` replays them (what ./orchestrate.sh does when no key is set). `orchestrate doctor --offline` checks that setup.", cacheDir, n)
}
