package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/redact"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// What a new phase package holds, and all it holds: its config section,
// its Input built from the run's settings, its Output with its report
// detail, its notes and its own result in the summary. Nothing in pkg/config,
// pkg/summary or the report knows of it.
type soakConfig struct {
	Requests int           `yaml:"requests" json:"requests"`
	Pause    time.Duration `yaml:"pause" json:"pause"`
}

var soakSettings = config.SectionOf("soak", "soak", soakConfig{Requests: 10, Pause: time.Second}, func(c *config.Config) error {
	if config.Get[soakConfig](c, "soak").Requests < 1 {
		return &config.KeyError{Key: "phases.soak.requests", Msg: "must be at least 1"}
	}
	return nil
})

type soakInput struct {
	Requests int `json:"requests"`
}

func soakConfigure(s phase.Setup) (soakInput, error) {
	return soakInput{Requests: config.Get[soakConfig](s.Config, "soak").Requests}, nil
}

type soakOutput struct {
	Sent int `json:"sent"`
}

type soakResult struct {
	Sent int `json:"sent" schema:"minimum=0"`
}

func (o soakOutput) SummaryResult() any { return soakResult(o) }
func (o soakOutput) Detail() phase.Detail {
	return phase.Detail{Phase: "soak", Facts: []string{"sent " + strings.Repeat("x", o.Sent)}}
}
func (o soakOutput) Notes() []summary.Failure {
	return []summary.Failure{{Phase: "soak", Class: "flaky", Message: "one request was slow"}}
}

func soakRun(_ context.Context, _ phase.Env, in soakInput) (soakOutput, error) {
	return soakOutput{Sent: in.Requests}, nil
}

func TestANewPhaseIsItsPackageAndOneLine(t *testing.T) {
	// The one line.
	list := append(Phases()[:0:0], Step("soak", "a soak test", soakSettings, soakConfigure, soakRun))

	// Its keys are read, checked and overridden like any other.
	raw, err := os.ReadFile(filepath.Join("..", "..", "orchestrate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orchestrate.yaml")
	body := strings.Replace(string(raw), "\nphases:\n", "\nphases:\n  soak: {requests: 3}\n", 1)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	sections := append(Sections(), list[0].settings)
	t.Setenv("ORCHESTRATE_PHASES_SOAK_PAUSE", "5s")
	l := &config.Loader{Sections: sections, Viper: viper.New(), Environ: os.Environ}
	cfg, err := l.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := config.Get[soakConfig](cfg, "soak"); got.Requests != 3 || got.Pause != 5*time.Second {
		t.Fatalf("soak settings %+v, want the file's requests and the environment's pause", got)
	}
	bad := filepath.Join(t.TempDir(), "orchestrate.yaml")
	_ = os.WriteFile(bad, []byte(strings.Replace(body, "soak: {requests: 3}", "soak: {requests: 0}", 1)), 0o644)
	if _, err := (&config.Loader{Sections: sections, Viper: viper.New(), Environ: os.Environ}).Load(bad); err == nil || !strings.Contains(err.Error(), "phases.soak.requests") {
		t.Fatalf("a bad soak setting: %v", err)
	}

	// In a run: its Output's result, notes and detail reach the summary
	// and the report.
	r, err := artifact.Create(t.TempDir(), "run1", strings.Repeat("a", 32), redact.New(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := &State{Config: cfg, Run: r, StartedAt: time.Now()}
	(&Runner{Now: time.Now, Phases: list}).Run(context.Background(), s)
	o, err := Finish(context.Background(), s, context.Background(), time.Now, phase.ToolUse{Tool: "orchestrate", Version: "test", Role: "orchestrator"})
	if err != nil {
		t.Fatal(err)
	}
	sum := o.Summary
	if len(sum.Phases) != 1 || string(sum.Phases[0].Result) != `{"sent":3}` {
		t.Fatalf("phases %+v", sum.Phases)
	}
	if len(sum.Notes) != 1 || sum.Notes[0].Message != "one request was slow" {
		t.Errorf("notes %+v", sum.Notes)
	}
	if d := s.ReportInput().Details; len(d) != 1 || d[0].Facts[0] != "sent xxx" {
		t.Errorf("report details %+v", d)
	}
}
