package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

const good = `version: 1
service:
  name: notifier
  description: routes deploy events
  module: example.com/notifier
  port: 8080
  endpoints:
    - method: POST
      path: /v1/events
      description: take an event
      examples:
        - name: ok
          body: {pipelineURL: "https://ci.example/1"}
          status: 202
          response: {channelIDs: ["x"]}
llm:
  providers:
    hosted: {kind: openai}
  roles:
    codegen: {provider: hosted, model: gpt-4o-mini}
run:
  timeout: 10m
`

func load(t *testing.T, body string, env []string, flags map[string]*pflag.Flag) (*Config, error) {
	t.Helper()
	return loadWith(t, body, env, flags)
}

func loadWith(t *testing.T, body string, env []string, flags map[string]*pflag.Flag, sections ...Section) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "orchestrate.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	l := &Loader{Viper: viper.New(), Environ: os.Environ, Flags: flags, Sections: sections}
	return l.Load(p)
}

func TestLoadGood(t *testing.T) {
	c, err := load(t, good, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Timeout != 10*time.Minute || c.LLM.Roles["codegen"].Model != "gpt-4o-mini" || c.Service.Dir != "service" {
		t.Fatalf("got %+v", c)
	}
	// Example data keeps its case (viper would fold it).
	body := c.Service.Endpoints[0].Examples[0].Body.(map[string]any)
	if _, ok := body["pipelineURL"]; !ok {
		t.Fatalf("example body keys folded: %v", body)
	}
}

func TestEnvOverridesFileAndFlagsWin(t *testing.T) {
	c, err := load(t, good, []string{"ORCHESTRATE_RUN_TIMEOUT=3m", "ORCHESTRATE_LLM_MODE=live"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Timeout != 3*time.Minute || c.LLM.Mode != "live" {
		t.Fatalf("env not applied: %v %v", c.Run.Timeout, c.LLM.Mode)
	}
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Duration("timeout", 30*time.Minute, "")
	if err := fs.Parse([]string{"--timeout=7s"}); err != nil {
		t.Fatal(err)
	}
	c, err = load(t, good, []string{"ORCHESTRATE_RUN_TIMEOUT=3m"}, map[string]*pflag.Flag{"run.timeout": fs.Lookup("timeout")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Timeout != 7*time.Second {
		t.Fatalf("flag did not win: %v", c.Run.Timeout)
	}
}

func TestBadConfigsNameKeyAndLine(t *testing.T) {
	cases := map[string]struct {
		body string
		env  []string
		want string
	}{
		"unknown key":           {strings.Replace(good, "  timeout: 10m", "  timeout: 10m\n  colour: red", 1), nil, `orchestrate.yaml:23: run.colour: unknown key "colour"`},
		"wrong type":            {strings.Replace(good, "port: 8080", "port: eighty", 1), nil, "orchestrate.yaml:6: service.port: wrong type"},
		"bad duration":          {strings.Replace(good, "timeout: 10m", "timeout: soon", 1), nil, "run.timeout: wrong type"},
		"missing name":          {strings.Replace(good, "  name: notifier\n", "", 1), nil, "service.name"},
		"unknown role provider": {strings.Replace(good, "provider: hosted", "provider: nowhere", 1), nil, `orchestrate.yaml:20: llm.roles.codegen.provider: "nowhere" is not a provider`},
		"not yaml":              {"version: 1\nservice: [\n", nil, "not valid YAML"},
		"bad env":               {good, []string{"ORCHESTRATE_RUN_TIMEOUT=soon"}, "run.timeout"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := load(t, c.body, c.env, nil)
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("got %v, want a KeyError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	l := &Loader{Viper: viper.New(), Environ: os.Environ}
	_, err := l.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "config file not found") {
		t.Fatalf("got %v", err)
	}
}

func TestServiceValidation(t *testing.T) {
	c, err := load(t, good, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Service.Validation != nil {
		t.Errorf("no validation key gave %+v, want nil (the defaults)", c.Service.Validation)
	}
	with := strings.Replace(good, "  port: 8080\n", "  port: 8080\n  validation: {unknown_fields: reject, report_as: body, order: last}\n", 1)
	if c, err = load(t, with, nil, nil); err != nil {
		t.Fatal(err)
	}
	if v := c.Service.Validation; v == nil || v.ReportAs != "body" || v.Order != "last" {
		t.Errorf("validation = %+v", v)
	}
	bad := strings.Replace(good, "  port: 8080\n", "  port: 8080\n  validation: {report_as: name}\n", 1)
	if _, err := load(t, bad, nil, nil); err == nil || !strings.Contains(err.Error(), `orchestrate.yaml:7: service.validation.report_as: "name" must be field or body`) {
		t.Errorf("bad report_as: %v", err)
	}
}
