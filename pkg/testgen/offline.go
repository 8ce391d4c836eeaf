package testgen

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/orchestrate-dev/orchestrate/pkg/failure"
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
	"github.com/orchestrate-dev/orchestrate/pkg/workspace"
)

// NotRegeneratedNote opens the note an offline run leaves when the unit
// tests could not be asked for again.
const NotRegeneratedNote = "not regenerated: no recorded answer for the edited code"

// NotRegenerated says why the unit tests were kept as they are: an
// offline run replays recorded answers only, and the service's code was
// edited by hand since the answer for it was recorded, so the question
// the code now makes was never asked. The committed tests stay; lint,
// deploy and the tests decide the run.
type NotRegenerated struct {
	Edited []string `json:"edited"`         // the service's files changed by hand, relative to the workdir
	Kept   []string `json:"kept"`           // the generated unit test files left as they are, relative to the workdir
	Prompt string   `json:"prompt"`         // the question that has no recorded answer, relative to the run directory
	Miss   string   `json:"miss,omitempty"` // the replay cache's own account of the miss
}

// keepOnMiss turns a replay miss into NotRegenerated when the service's
// code was edited by hand (its files are not in the manifest as they
// are). Any other error, and a miss with no hand edit (the spec or the
// prompts changed: the cache is stale), stays an error.
func keepOnMiss(svc workspace.Dir, in Input, owned map[string]string, prompt string, err error) (*NotRegenerated, error) {
	if !errors.Is(err, llm.ErrNoRecordedAnswer) {
		return nil, err
	}
	current := map[string]string{}
	for _, s := range in.Sources {
		current[s.Path] = s.SHA256
	}
	edited, eerr := svc.Edited(current)
	if eerr != nil || len(edited) == 0 {
		return nil, err
	}
	nr := &NotRegenerated{Edited: under(in.Spec.Dir, edited), Prompt: prompt, Miss: err.Error()}
	var kept []string
	for p := range owned {
		kept = append(kept, p)
	}
	sort.Strings(kept)
	nr.Kept = under(in.Spec.Dir, kept)
	return nr, nil
}

// Line is the note's one line.
func (nr *NotRegenerated) Line() string {
	kept := "no generated unit tests to keep"
	if len(nr.Kept) > 0 {
		kept = "kept " + strings.Join(nr.Kept, ", ") + " as committed"
	}
	return fmt.Sprintf("%s (%s); %s; lint, deploy and the tests decide the run", NotRegeneratedNote, strings.Join(nr.Edited, ", "), kept)
}

func under(dir string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = path.Join(dir, p)
	}
	return out
}

// Notes implements phase.Noter: unit tests that were not regenerated.
func (o Output) Notes() []summary.Failure {
	nr := o.Unit.NotRegenerated
	if nr == nil {
		return nil
	}
	return []summary.Failure{{Phase: phase.Testgen, Class: string(failure.LLMError), Message: nr.Line(), Where: nr.Prompt}}
}
