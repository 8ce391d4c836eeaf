package lint

// CacheReads implements phase.Cacheable: the modules it analyses and
// fixes.
func (in Input) CacheReads() []string {
	out := make([]string, 0, len(in.Modules))
	for _, m := range in.Modules {
		out = append(out, m.Dir)
	}
	return out
}

// CacheWrites implements phase.Recording: the file it explains its fixes
// in. Its section is rewritten from the phase's result on every run and
// the text outside it is the user's: neither changes what the analyzers
// find. A first run that creates the file is reused by the next, and a
// file deleted or edited since is written again.
func (in Input) CacheWrites() []string {
	if in.FixesFile == "" {
		return nil
	}
	return []string{in.FixesFile}
}
