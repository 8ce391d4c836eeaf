package phase

import "context"

// The phase cache reuses a phase's recorded Output when nothing it reads
// changed. A phase says so through its Input: Cacheable names what it
// reads and writes on disk; an Input that cannot be reused says why
// (Uncached). The runner hashes the Input's JSON (never the run id), the
// model settings, the phase's own config, the tools and those files.

// Cacheable is an Input whose phase may be skipped, its last Output
// reused, when the Input, the config, the tools and the files it names
// are as they were when the phase last succeeded and left them unchanged.
type Cacheable interface {
	// CacheReads are the files and directories the phase reads and
	// writes, relative to the workdir (slash-separated).
	CacheReads() []string
}

// Uncached is an Input whose phase always runs, and why. An Input that is
// Cacheable too may return "" when this run of it can be reused after all
// (the deploy phase always runs when docker.keep asks for the service to
// be left running, and may be reused otherwise).
type Uncached interface {
	NoCache() string
}

// Rechecked is a Cacheable Input whose recorded Output also states
// something outside the files, which may have changed since (the release
// a daemon's tag points at): Recheck says why out, the Output an earlier
// run recorded, no longer holds ("" when it does). The runner asks before
// reusing it; the phase then runs, and the summary says why.
type Rechecked[O any] interface {
	Recheck(ctx context.Context, out O) string
}

// Revived is an Output that is told, with this run's Input, that it was
// reused from an earlier run rather than made by this one: what it offers
// later phases must say so (a reused deployment has no container
// running). The runner calls Revive on the recorded Output and keeps what
// it returns.
type Revived[I, O any] interface {
	Revive(in I) O
}

// Recording is a Cacheable Input whose phase also writes files that record
// what it did and are not inputs of its result (the lint phase's section
// of FIXES.md, rewritten from its Output on every run). They are left out
// of the key and of "the phase changed its files"; a hit needs them as the
// reused run left them, so a record deleted or edited since is written
// again by the phase.
type Recording interface {
	CacheWrites() []string
}
