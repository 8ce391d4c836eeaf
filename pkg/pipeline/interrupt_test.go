package pipeline

import (
	"context"
	"testing"
	"time"
)

// Why tells a signal from the time limit, and a signal that came after
// the time limit already ended the run still counts as an interrupt.
func TestWhy(t *testing.T) {
	sig, interrupt := context.WithCancelCause(context.Background())
	run, cancel := RunContext(sig, time.Hour)
	defer cancel()
	if Why(run) != nil {
		t.Fatal("a running run has no reason to stop")
	}
	interrupt(ErrInterrupted)
	if Why(run) != ErrInterrupted {
		t.Errorf("after a signal: %v", Why(run))
	}

	sig, interrupt = context.WithCancelCause(context.Background())
	run, cancel = RunContext(sig, time.Nanosecond)
	defer cancel()
	<-run.Done()
	if Why(run) != ErrRunTimeout {
		t.Errorf("at the time limit: %v", Why(run))
	}
	interrupt(ErrInterrupted) // the user pressed Ctrl-C as the limit hit
	if Why(run) != ErrInterrupted {
		t.Errorf("a signal racing the limit: %v", Why(run))
	}

	run, cancel = RunContext(context.Background(), 0)
	cancel()
	if Why(run) != nil {
		t.Errorf("a run cancelled some other way: %v", Why(run))
	}
}
