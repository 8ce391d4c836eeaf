package phase

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

// Uncached is an Input whose phase always runs, and why.
type Uncached interface {
	NoCache() string
}
