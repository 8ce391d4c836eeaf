package run

import (
	"context"
	"fmt"

	"github.com/orchestrate-dev/orchestrate/pkg/config"
	"github.com/orchestrate-dev/orchestrate/pkg/phase"
	"github.com/orchestrate-dev/orchestrate/pkg/pipeline"
	"github.com/orchestrate-dev/orchestrate/pkg/review"
)

// resume checks that run id was held by the review gate, that its audit
// chain verifies with a human's approval in it, and that the change in the
// workdir is the one approved; the new run then starts at deploy. It
// returns the audit event the new run records.
func resume(ctx context.Context, opts *Options, cfg *config.Config, p paths, sel *pipeline.Selection) (map[string]any, error) {
	if len(opts.Only) > 0 || opts.From != "" {
		return nil, fmt.Errorf("--resume starts at deploy: it cannot be combined with --only or --from")
	}
	held, ap, err := review.Approved(p.artifacts, opts.Resume)
	if err != nil {
		return nil, fmt.Errorf("--resume %s: %w", opts.Resume, err)
	}
	c, err := review.WorkingChange(ctx, p.workdir, cfg.Service.Dir, cfg.Service.TestsDir, config.FileName)
	if err != nil {
		return nil, fmt.Errorf("--resume %s: the change in the workdir: %w", opts.Resume, err)
	}
	if got := c.SHA256(); got != ap.Change || got != held.Output.ChangeSHA256 {
		return nil, fmt.Errorf("--resume %s: the change in the workdir (sha256 %.12s) is not the one approved (%.12s): run `orchestrate run` again so the new change is reviewed", opts.Resume, got, ap.Change)
	}
	sel.From = phase.Deploy
	return map[string]any{"held_run": opts.Resume, "approval_record": ap.Record.Hash, "approved_by": ap.By,
		"reason": ap.Reason, "change_sha256": ap.Change}, nil
}
