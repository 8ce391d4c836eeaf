// Package config is `orchestrate config`.
package config

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/locate"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// Options of `orchestrate config`.
type Options struct {
	F          *cmdutil.Factory
	ConfigFile string
}

// NewCmdConfig prints the effective configuration.
func NewCmdConfig(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration (file, then ORCHESTRATE_* environment), secrets redacted",
		Example: `  $ orchestrate config
  $ ORCHESTRATE_LLM_MODE=live orchestrate config --config other.yaml`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Print(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ConfigFile, "config", config.FileName, "config `FILE`")
	return cmd
}

// Print loads and prints the config.
func Print(opts *Options) error {
	l := &config.Loader{Sections: pipeline.Sections(), Viper: viper.New(), Environ: opts.F.Environ}
	cfg, err := l.Load(locate.Config(locate.Cwd(), opts.ConfigFile))
	if err != nil {
		return &cmdutil.ExitError{Code: summary.ExitUsage, Err: err}
	}
	public, creds := cfg.Public()
	b, err := yaml.Marshal(public)
	if err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	red := redact.FromEnv(opts.F.Environ(), cfg.Secrets.Env...).With(creds...)
	_, err = fmt.Fprint(opts.F.IOStreams.Out, red.String(string(b)))
	return err
}
