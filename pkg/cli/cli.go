// Package cli is the process entry: it builds the factory from the real
// environment, wires signals, runs the command tree and returns the exit
// code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/cmd/root"
	"github.com/orchestrate-dev/orchestrate/pkg/cmdutil"
	"github.com/orchestrate-dev/orchestrate/pkg/iostreams"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/version"
)

// Main runs orchestrate with args (without the program name).
func Main(args []string) int {
	f := &cmdutil.Factory{
		IOStreams:  iostreams.System(os.Getenv),
		Now:        time.Now,
		Environ:    os.Environ,
		Getenv:     os.Getenv,
		HTTPClient: func() *http.Client { return &http.Client{} },
		Versions:   toolVersions,
		Version:    version.String(),
	}
	// The first SIGINT/SIGTERM cancels the context: phases stop, cleanup
	// runs and the summary is written. A second one exits at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		fmt.Fprintln(f.IOStreams.ErrOut, "\norchestrate: interrupted; cleaning up and writing the summary (press Ctrl-C again to exit now)")
		cancel(pipeline.ErrInterrupted)
		if _, ok := <-sigs; ok {
			os.Exit(summary.ExitInterrupted)
		}
	}()
	return Execute(ctx, f, args)
}

// Execute runs the command tree with f and returns the exit code.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	_, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var fe *cmdutil.FlagError
	var ee *cmdutil.ExitError
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
	case errors.As(err, &ee):
		if ee.Err != nil {
			fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: %v\n", ee.Err)
		}
	case errors.As(err, &fe):
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: %v\n", fe.Err)
		fmt.Fprintln(f.IOStreams.ErrOut, "Run 'orchestrate --help' for usage.")
	case strings.HasPrefix(err.Error(), "unknown command") || strings.Contains(err.Error(), "accepts ") || strings.Contains(err.Error(), "arg(s)"):
		// cobra's own argument errors are usage errors too.
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: %v\nRun 'orchestrate --help' for usage.\n", err)
		return summary.ExitUsage
	default:
		fmt.Fprintf(f.IOStreams.ErrOut, "orchestrate: %v\n", err)
	}
	return cmdutil.ExitCode(err)
}

// toolVersions asks the go toolchain and the Docker CLI for their versions,
// each with a short deadline; a missing tool is an empty value.
func toolVersions(ctx context.Context) map[string]string {
	ask := func(name string, args ...string) string {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	return map[string]string{
		"go":     ask("go", "env", "GOVERSION"),
		"docker": ask("docker", "version", "--format", "{{.Server.Version}}"),
	}
}
