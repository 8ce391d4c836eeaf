package pipeline

import "bytes"

// Stepper is an Observer that shows the steps inside a phase as they
// happen (the live terminal): each line the phase logs.
type Stepper interface {
	Step(phase, line string)
}

// stepper tells the observer, when it shows steps, each line phase logs.
func (r *Runner) stepper(phase string) func(string) {
	st, ok := r.Observer.(Stepper)
	if !ok {
		return nil
	}
	return func(line string) { st.Step(phase, line) }
}

// tell passes the complete lines of p to the step callback; a line
// written in pieces is told when its last piece ends it (w.mu is held).
func (w *syncBuffer) tell(p []byte) {
	if w.step == nil {
		return
	}
	start := w.b.Len() - bytes.LastIndexByte(w.b.Bytes(), '\n') - 1 // the unfinished line already buffered
	pending := append([]byte(nil), w.b.Bytes()[w.b.Len()-start:]...)
	for _, l := range bytes.SplitAfter(append(pending, p...), []byte("\n")) {
		if bytes.HasSuffix(l, []byte("\n")) {
			if t := bytes.TrimSpace(l); len(t) > 0 {
				w.step(string(t))
			}
		}
	}
}
