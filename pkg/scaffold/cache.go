package scaffold

// CacheReads implements phase.Cacheable: the service directory it writes
// (the spec and the templates are in the Input and the binary).
func (in Input) CacheReads() []string { return []string{in.Spec.Dir} }
