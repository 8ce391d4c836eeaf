package pipeline

import (
	"fmt"
	"reflect"
	"testing"
)

// A phase's log lines reach the live terminal as steps, whole, however
// they were written.
func TestStepsAreWholeLines(t *testing.T) {
	var got []string
	w := &syncBuffer{step: func(l string) { got = append(got, l) }}
	fmt.Fprint(w, "building image svc:x")
	fmt.Fprint(w, " (context 2 files)\nimage built\n\n")
	fmt.Fprint(w, "health: waiting")
	fmt.Fprint(w, " for svc\n")
	want := []string{"building image svc:x (context 2 files)", "image built", "health: waiting for svc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps %q, want %q", got, want)
	}
	if string(w.Bytes()) != "building image svc:x (context 2 files)\nimage built\n\nhealth: waiting for svc\n" {
		t.Errorf("log %q", w.Bytes())
	}
}
