package phasecache

import (
	"fmt"
	"strings"
)

// What the cache made of a phase.
const (
	Hit      = "hit"      // its recorded Output was reused
	Miss     = "miss"     // it ran; why is said
	Off      = "off"      // --no-cache: it ran
	Uncached = "uncached" // a phase that always runs (report; deploy with docker.keep; review outside git)
)

// Decision is what the cache made of one phase, and why.
type Decision struct {
	Status string
	Key    string
	From   *Entry // on a hit: the run whose Output is reused
	Why    string
}

// Decide looks for an entry with cur's key that left the files as it
// found them; usable says why such an entry's run cannot serve ("" when
// it can: its folder is there, the answers it used are unchanged). On a
// miss, Why compares cur with the newest entry.
func Decide(cur Parts, entries []Entry, usable func(Entry) string) Decision {
	d := Decision{Status: Miss, Key: cur.Key()}
	for _, e := range entries {
		if e.Key != d.Key {
			continue
		}
		if ch := e.Changed(); len(ch) > 0 {
			d.Why = fmt.Sprintf("run %s had the same inputs and changed files (%s): it runs again", e.Run, join(ch))
			return d
		}
		if why := usable(e); why != "" {
			d.Why = why
			return d
		}
		d.Status, d.From = Hit, &e
		d.Why = fmt.Sprintf("reused from run %s: input, config, tools and %d file(s) unchanged", e.Run, len(cur.Files))
		return d
	}
	d.Why = explainMiss(cur, entries)
	return d
}

// explainMiss says what differs from the newest entry.
func explainMiss(cur Parts, entries []Entry) string {
	if len(entries) == 0 {
		return "no earlier run of this phase succeeded in this artifacts directory"
	}
	last := entries[0]
	var what []string
	if last.Parts.Input != cur.Input {
		what = append(what, "its input (the spec, the service's code or the phase's settings)")
	}
	if last.Parts.Config != cur.Config {
		what = append(what, "the model settings or the phase's config")
	}
	if last.Parts.Tools != cur.Tools {
		what = append(what, "the orchestrate binary or the go toolchain")
	}
	if ch := FileChanges(last.After, cur.Files, 5); len(ch) > 0 {
		what = append(what, "files: "+join(ch))
	}
	if len(what) == 0 && !Same(last.After, last.Parts.Files) {
		return fmt.Sprintf("run %s changed files itself (%s): it runs again on what it left", last.Run, join(last.Changed()))
	}
	if len(what) == 0 {
		return fmt.Sprintf("differs from run %s (key %s, now %s)", last.Run, short(last.Key), short(cur.Key()))
	}
	return fmt.Sprintf("changed since run %s: %s", last.Run, strings.Join(what, "; "))
}
