package review

import "fmt"

// Decision is the gate's: pass, or a human must approve, and why.
type Decision struct {
	Escalate bool     `json:"escalate"`
	Reasons  []string `json:"reasons,omitempty"` // each reason a human is asked, in order
}

// Decide applies the gate: any high deterministic finding (a secret, a
// high gosec finding, a debug print of a secret, a hardcoded credential, a
// breaking change), a risk score at or above the maximum, a breaking
// change the model names, a confidence below the minimum, an answer the
// model itself does not call approvable, or a broken review escalates.
// A review the model did not run is decided by the deterministic checks.
func Decide(r Result, t Thresholds) Decision {
	var d Decision
	for _, f := range r.Findings {
		if f.Severity == High {
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s at %s (%s, %s): %s", f.Rule, f.Where(), f.Check, f.Tool, f.Message))
		}
	}
	m := r.Model
	switch {
	case m.Broken:
		d.Reasons = append(d.Reasons, "the model review is missing: "+m.Why)
	case m.Ran && m.Answer != nil:
		a := m.Answer
		if a.RiskScore >= t.MaxRisk {
			d.Reasons = append(d.Reasons, fmt.Sprintf("risk score %.1f is at or above %.1f: %s", a.RiskScore, t.MaxRisk, a.Rationale))
		}
		for _, b := range a.BreakingChanges {
			d.Reasons = append(d.Reasons, fmt.Sprintf("the review role names a breaking change at %s:%d: %s", b.File, b.Line, b.Note))
		}
		if a.Confidence < t.MinConfidence {
			d.Reasons = append(d.Reasons, fmt.Sprintf("the review's confidence %.2f is below %.2f: a human should look", a.Confidence, t.MinConfidence))
		}
		if !a.AutoApprovable && a.RiskScore < t.MaxRisk && len(a.BreakingChanges) == 0 {
			d.Reasons = append(d.Reasons, "the review role says the change is not auto-approvable: "+a.Rationale)
		}
	}
	d.Escalate = len(d.Reasons) > 0
	return d
}
