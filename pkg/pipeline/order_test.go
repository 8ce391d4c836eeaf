package pipeline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// The phase order lives in Phases(); the summary's JSON Schema enumerates
// the same names in the same order, and each phase says in a line what it
// does (the help texts are built from it).
func TestOneOrder(t *testing.T) {
	var schema struct {
		Properties struct {
			Phases struct {
				Items struct {
					Properties struct {
						Name struct {
							Enum []string `json:"enum"`
						} `json:"name"`
					} `json:"properties"`
				} `json:"items"`
			} `json:"phases"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(summary.Schema, &schema); err != nil {
		t.Fatal(err)
	}
	if got := schema.Properties.Phases.Items.Properties.Name.Enum; !slices.Equal(got, Names()) {
		t.Errorf("the summary schema enumerates %v; the pipeline is %v: run go generate ./pkg/pipeline", got, Names())
	}
	for _, p := range Phases() {
		if strings.TrimSpace(p.What) == "" {
			t.Errorf("phase %s does not say what it does", p.Name)
		}
	}
}
