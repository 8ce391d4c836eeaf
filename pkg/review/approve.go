package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/summary"
)

// ErrNoReason is an approval without a reason: a bypass of the gate is
// only ever recorded with why.
var ErrNoReason = errors.New("an approval needs a reason (--reason \"…\"): the gate is bypassed only with a recorded reason")

// Held is a run the review gate stopped: where it is and what it held.
type Held struct {
	Summary *summary.Entry
	Dir     string // the run directory
	Output  Output // the review phase's output
}

// FindHeld loads run id under artifacts, checks that it waits for an
// approval and that its audit log verifies, and reads what was held.
func FindHeld(artifacts, id string) (*Held, error) {
	if err := artifact.ValidRunID(id); err != nil {
		return nil, err
	}
	e, err := summary.Find(artifacts, id)
	if err != nil {
		return nil, err
	}
	dir := e.Summary.ArtifactsDir
	if _, err := os.Stat(dir); err != nil {
		dir = filepath.Join(artifacts, id)
	}
	h := &Held{Summary: e, Dir: dir}
	if err := verify(h, e.Summary.AuditHead); err != nil {
		return nil, err
	}
	outs, _ := filepath.Glob(filepath.Join(dir, "*-"+Name, "output.json"))
	if len(outs) != 1 {
		return nil, fmt.Errorf("run %s has no review output (%s/NN-review/output.json)", id, dir)
	}
	b, err := os.ReadFile(outs[0])
	if err == nil {
		err = json.Unmarshal(b, &h.Output)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: the review's output: %w", id, err)
	}
	return h, nil
}

func verify(h *Held, head string) error {
	b, err := os.ReadFile(filepath.Join(h.Dir, artifact.EventsFile))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := audit.Verify(bytes.NewReader(b), h.Dir, head); err != nil {
		return fmt.Errorf("run %s: the audit log does not verify: %w", h.Summary.Summary.RunID, err)
	}
	return nil
}

// Approve records a human's approval of the held change in the run's
// audit chain and moves the summary's audit_head to it.
func Approve(artifacts, id, by, reason string, now func() time.Time) (audit.Record, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return audit.Record{}, ErrNoReason
	}
	if strings.TrimSpace(by) == "" {
		return audit.Record{}, errors.New("who approves is unknown: set git config user.name or pass --by")
	}
	h, err := FindHeld(artifacts, id)
	if err != nil {
		return audit.Record{}, err
	}
	if s := h.Summary.Summary.Status; s != summary.NeedsApproval {
		return audit.Record{}, fmt.Errorf("run %s is %s, not waiting for an approval", id, s)
	}
	rec, err := audit.AppendTo(filepath.Join(h.Dir, artifact.EventsFile), h.Dir, Name, audit.TypeApproval, map[string]any{
		"run_id": id, "by": by, "reason": reason, "approved_at": now().UTC(),
		"change_sha256": h.Output.ChangeSHA256, "held_for": h.Output.Decision.Reasons,
	}, now)
	if err != nil {
		return rec, err
	}
	s := h.Summary.Summary
	s.AuditHead = rec.Hash
	b, err := artifact.MarshalJSON(&s)
	if err == nil {
		err = artifact.WriteAtomic(h.Summary.Path, b, 0o644)
	}
	if err != nil {
		return rec, fmt.Errorf("the approval is recorded (record %d) but the summary's audit_head was not moved to it: %w", rec.Seq, err)
	}
	return rec, nil
}

// Approval is a recorded approval of a held run.
type Approval struct {
	Record audit.Record
	By     string
	Reason string
	Change string // the approved change's SHA-256
}

// Approved returns the last approval of held run id, after verifying its
// audit chain; an error when the run was never approved.
func Approved(artifacts, id string) (*Held, Approval, error) {
	h, err := FindHeld(artifacts, id)
	if err != nil {
		return nil, Approval{}, err
	}
	f, err := os.Open(filepath.Join(h.Dir, artifact.EventsFile))
	if err != nil {
		return nil, Approval{}, err
	}
	defer f.Close()
	recs, err := audit.Records(f, audit.TypeApproval)
	if err != nil {
		return nil, Approval{}, err
	}
	if len(recs) == 0 {
		return h, Approval{}, fmt.Errorf("run %s has no approval: `orchestrate approve %s --reason \"…\"` first", id, id)
	}
	r := recs[len(recs)-1]
	str := func(k string) string { s, _ := r.Data[k].(string); return s }
	return h, Approval{Record: r, By: str("by"), Reason: str("reason"), Change: str("change_sha256")}, nil
}
