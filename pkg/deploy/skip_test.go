package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/phase/phasetest"
	"github.com/orchestrate-dev/orchestrate/pkg/spec"
)

// A service without its compose file is skipped with the reason, not
// failed, and the daemon is not even dialled.
func TestNoComposeFileSkips(t *testing.T) {
	h := phasetest.Bare(t, "deploy")
	dialled := false
	in := Input{Spec: spec.Service{Name: "svc", Dir: "service"}, Workdir: h.Workdir, Compose: "compose.yaml",
		Dial: func(string) (Daemon, error) { dialled = true; return nil, context.Canceled }}
	_, err := Run(context.Background(), h.Env, in)
	why, skipped := phase.IsSkip(err)
	if !skipped || !strings.Contains(why, "service/compose.yaml does not exist") || dialled {
		t.Errorf("err %v, dialled %v", err, dialled)
	}
}
