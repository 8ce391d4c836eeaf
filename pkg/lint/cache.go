package lint

// CacheReads implements phase.Cacheable: the modules it analyses and
// fixes, and the file it explains its fixes in.
func (in Input) CacheReads() []string {
	out := make([]string, 0, len(in.Modules)+1)
	for _, m := range in.Modules {
		out = append(out, m.Dir)
	}
	if in.FixesFile != "" {
		out = append(out, in.FixesFile)
	}
	return out
}
