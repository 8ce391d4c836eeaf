package phasecache

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/orchestrate-dev/orchestrate/pkg/artifact"
)

// IndexDir is the index's folder in the artifacts directory. It is local:
// git ignores it with the local runs, so a fresh clone starts cold.
const IndexDir = ".phase-cache"

// keep bounds the entries kept per phase.
const keep = 20

// Entry is one successful run of a phase, by its key.
type Entry struct {
	Phase   string            `json:"phase"`
	Key     string            `json:"key"`
	Run     string            `json:"run"` // the run id: its folder in the artifacts directory
	Dir     string            `json:"dir"` // the phase's folder in that run
	At      time.Time         `json:"at"`
	Parts   Parts             `json:"parts"`
	After   map[string]string `json:"after"`             // the files it read, when it ended
	Answers map[string]string `json:"answers,omitempty"` // the recorded model answers it used: path → SHA-256
	// Records are the files it writes as a record of what it did (not
	// inputs: phase.Recording), as it left them: path → SHA-256.
	Records map[string]string `json:"records,omitempty"`
}

// Changed says whether the phase changed files that run: then reusing
// its Output would not leave the files as it did.
func (e Entry) Changed() []string { return FileChanges(e.Parts.Files, e.After, 5) }

// Index is the phase cache's index, under an artifacts directory.
type Index struct{ Root string }

func (x Index) path(phase string) string {
	return filepath.Join(x.Root, IndexDir, phase+".json")
}

// Entries are the phase's entries, newest first.
func (x Index) Entries(phase string) ([]Entry, error) {
	b, err := os.ReadFile(x.path(phase))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var es []Entry
	if err := json.Unmarshal(b, &es); err != nil {
		return nil, nil // a broken index is a cold cache, never a failed run
	}
	return es, nil
}

// Add records e as the newest entry of its phase, in place of an older
// one with the same key.
func (x Index) Add(e Entry) error {
	es, err := x.Entries(e.Phase)
	if err != nil {
		return err
	}
	out := []Entry{e}
	for _, o := range es {
		if o.Key != e.Key && len(out) < keep {
			out = append(out, o)
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(x.path(e.Phase)), 0o755); err != nil {
		return err
	}
	return artifact.WriteAtomic(x.path(e.Phase), b, 0o644)
}
