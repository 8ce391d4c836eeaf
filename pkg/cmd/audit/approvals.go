package audit

import (
	"fmt"
	"io"
	"os"

	auditlog "github.com/orchestrate-dev/orchestrate/pkg/audit"
)

// printApprovals lists the approvals in a verified log: who, when, why.
func printApprovals(w io.Writer, events string) {
	f, err := os.Open(events)
	if err != nil {
		return
	}
	defer f.Close()
	recs, _ := auditlog.Records(f, auditlog.TypeApproval)
	for _, r := range recs {
		fmt.Fprintf(w, "approval verified: record %d, %v by %v at %v: %v (change %v)\n", r.Seq, r.Data["run_id"], r.Data["by"], r.Data["approved_at"], r.Data["reason"], r.Data["change_sha256"])
	}
}
