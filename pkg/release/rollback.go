package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/audit"
	"github.com/orchestrate-dev/orchestrate/pkg/docker"
)

// Manual is a rollback by hand: who, why, from which release to which.
type Manual struct {
	Service string    `json:"service"`
	From    string    `json:"from"` // the stable release before (now tagged rolled-back)
	To      string    `json:"to"`   // the previous release, stable again
	By      string    `json:"by"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	Log     string    `json:"log"`  // its audit log
	Head    string    `json:"head"` // the log's head, to keep outside the run
}

// Rollback makes service's previous release the stable one again and
// records it in an audit log of its own under artifacts/releases/.
func Rollback(ctx context.Context, host, artifacts string, m Manual, now func() time.Time) (Manual, error) {
	e, err := docker.Connect(ctx, host)
	if err != nil {
		return m, err
	}
	defer e.Close()
	m.At = now().UTC()
	if m.From, m.To, err = (engine{e}).rollback(ctx, m.Service); err != nil {
		return m, err
	}
	dir := filepath.Join(artifacts, "releases", m.At.Format("20060102T150405Z")+"-rollback-"+strings.ToLower(m.Service))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return m, fmt.Errorf("the rollback is done; recording it failed: %w", err)
	}
	m.Log = filepath.Join(dir, "events.jsonl")
	l, err := audit.Create(m.Log, "", now)
	if err != nil {
		return m, fmt.Errorf("the rollback is done; recording it failed: %w", err)
	}
	if _, err := l.Append("", Name, "release.rollback", map[string]any{"service": m.Service, "from": m.From, "to": m.To, "by": m.By, "reason": m.Reason}); err != nil {
		l.Close()
		return m, fmt.Errorf("the rollback is done; recording it failed: %w", err)
	}
	m.Head = l.Head()
	return m, l.Close()
}
