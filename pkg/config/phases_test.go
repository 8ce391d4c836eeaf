package config

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Two phases this package has never heard of, the way a new phase
// package brings its part of the config: the second reads keys under the
// first's, as the release phase does under phases.deploy.
type fakeDeploy struct {
	Compose string        `yaml:"compose" json:"compose"`
	Wait    time.Duration `yaml:"wait" json:"wait"`
}

type fakeCanary struct {
	Strategy string        `yaml:"strategy" json:"strategy"`
	Steps    []fakeStep    `yaml:"steps" json:"steps,omitempty"`
	Wait     time.Duration `yaml:"wait" json:"wait"`
}

type fakeStep struct {
	Share float64 `yaml:"share" json:"share"`
}

var fakeSections = []Section{
	SectionOf("ship", "ship", fakeDeploy{Compose: "compose.yaml", Wait: time.Minute}, nil, "codegen", "shipper"),
	SectionOf("canary", "ship", fakeCanary{Strategy: "replace"}, nil),
	SectionOf("canary-wait", "canary", fakeDeploy{}, func(c *Config) error {
		if Get[fakeDeploy](c, "canary-wait").Wait < 0 {
			return &KeyError{Key: "phases.canary.wait", Msg: "negative"}
		}
		return nil
	}),
}

// A phase's settings are its own type: defaults, the file, the
// environment, strict keys with lines, roles, and another phase's key
// read by name, all without this package knowing the phase.
func TestSectionsArePhasesOwn(t *testing.T) {
	body := good + "phases:\n  ship:\n    wait: 5s\n    strategy: canary\n    steps: [{share: 0.5}]\n"
	c, err := loadWith(t, body, []string{"ORCHESTRATE_PHASES_SHIP_COMPOSE=other.yaml"}, nil, fakeSections...)
	if err != nil {
		t.Fatal(err)
	}
	if d := Get[fakeDeploy](c, "ship"); d.Compose != "other.yaml" || d.Wait != 5*time.Second {
		t.Errorf("ship: %+v, want the environment's compose and the file's wait", d)
	}
	if k := Get[fakeCanary](c, "canary"); k.Strategy != "canary" || len(k.Steps) != 1 || k.Steps[0].Share != 0.5 {
		t.Errorf("canary: %+v, want the keys it shares under phases.ship", k)
	}
	if v, ok := Value[string](c, "phases.ship.strategy"); !ok || v != "canary" {
		t.Errorf("Value(phases.ship.strategy) = %q, %v", v, ok)
	}
	if _, ok := Value[string](c, "phases.ship.nothing"); ok {
		t.Error("Value of a key no section has: ok")
	}
	// A copy keeps its own sections.
	cp := *c
	Set(&cp, "ship", fakeDeploy{Compose: "x"})
	if Get[fakeDeploy](c, "ship").Compose != "other.yaml" {
		t.Error("Set on a copy changed the original")
	}
	// Printed under the file's keys, the sharing sections merged.
	b, err := json.Marshal(c.Phases)
	if err != nil || !strings.Contains(string(b), `"ship":{"compose":"other.yaml","wait":5000000000,"strategy":"canary"`) {
		t.Errorf("JSON %s (%v)", b, err)
	}
	y, err := yaml.Marshal(c.Phases)
	if err != nil || !strings.Contains(string(y), "ship:\n    compose: other.yaml\n    wait: 5s\n    strategy: canary\n") {
		t.Errorf("YAML:\n%s(%v)", y, err)
	}
	for _, bad := range []struct{ yaml, key string }{
		{"phases:\n  shipp: {wait: 1s}\n", "phases.shipp"},
		{"phases:\n  ship:\n    steps: [{share: 1, weight: 2}]\n", "phases.ship.steps[0].weight"},
		{"phases:\n  ship:\n    wait: soon\n", "phases.ship.wait"},
	} {
		_, err := loadWith(t, good+bad.yaml, nil, nil, fakeSections...)
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != bad.key || ke.Line == 0 {
			t.Errorf("%q: %v (%+v), want a KeyError on %s with its line", bad.yaml, err, ke, bad.key)
		}
	}
	// The roles are those the phases ask.
	roles := strings.Replace(good, "    codegen:", "    shiper: {provider: hosted, model: m}\n    codegen:", 1)
	if _, err := loadWith(t, roles, nil, nil, fakeSections...); err == nil || !strings.Contains(err.Error(), `"shiper" is not a role; the roles are codegen, shipper`) {
		t.Errorf("roles: %v", err)
	}
}
