package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LockFile is the workdir's lock, held by the run that is changing it. It
// exists only while a run holds it.
const LockFile = ".orchestrate.lock"

// LockedError is a workdir another run holds.
type LockedError struct {
	Workdir string
	Holder  string // the holding run's id, as it wrote it
}

func (e *LockedError) Error() string {
	holder := e.Holder
	if holder == "" {
		holder = "another run (it has not written its id yet)"
	} else {
		holder = "run " + holder
	}
	return fmt.Sprintf("workdir %s is in use by %s: two runs in one workdir would change the same files; wait for it to end, or give this run another --dir", e.Workdir, holder)
}

// Lock is a held workdir lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire takes the workdir's lock for runID without waiting: a workdir
// another run holds is a *LockedError naming that run. The lock goes with
// the process, so a run that dies never leaves the workdir locked.
func Acquire(workdir, runID string) (*Lock, error) {
	p := filepath.Join(workdir, LockFile)
	for attempt := 0; attempt < 5; attempt++ {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock workdir %s: %w", workdir, err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if errors.Is(err, errHeld) {
				b, _ := os.ReadFile(p)
				return nil, &LockedError{Workdir: workdir, Holder: strings.TrimSpace(string(b))}
			}
			return nil, fmt.Errorf("lock workdir %s: %w", workdir, err)
		}
		// The holder before us removes the file as it lets go: a lock on a
		// file no longer at the path locks nothing, so take the new one.
		if same(f, p) {
			// The holder's id is for a second run's message; the lock holds
			// without it.
			if err := f.Truncate(0); err == nil {
				_, _ = f.WriteAt([]byte(runID+"\n"), 0)
			}
			return &Lock{f: f, path: p}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("lock workdir %s: the lock file keeps changing; is another run starting and stopping?", workdir)
}

func same(f *os.File, p string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(p)
	return err == nil && os.SameFile(a, b)
}

// Release removes the lock file and lets go of the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
