package pipeline

import (
	"bytes"
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
					AllOf []struct {
						If struct {
							Properties struct {
								Name struct {
									Const string `json:"const"`
								} `json:"name"`
							} `json:"properties"`
						} `json:"if"`
						Then struct {
							Properties struct {
								Result json.RawMessage `json:"result"`
							} `json:"properties"`
						} `json:"then"`
					} `json:"allOf"`
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
	// Each phase's own result, as its type describes it.
	var inSchema, generated []string
	for _, a := range schema.Properties.Phases.Items.AllOf {
		var b bytes.Buffer
		_ = json.Compact(&b, a.Then.Properties.Result)
		inSchema = append(inSchema, a.If.Properties.Name.Const+" "+b.String())
	}
	for _, r := range Results() {
		var b bytes.Buffer
		_ = json.Compact(&b, r.Schema)
		generated = append(generated, r.Phase+" "+b.String())
	}
	if !slices.Equal(inSchema, generated) || len(generated) == 0 {
		t.Errorf("the summary schema's phase results:\n%v\nthe phases' types:\n%v\nrun go generate ./pkg/pipeline", inSchema, generated)
	}
	for _, p := range Phases() {
		if strings.TrimSpace(p.What) == "" {
			t.Errorf("phase %s does not say what it does", p.Name)
		}
	}
}
