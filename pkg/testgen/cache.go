package testgen

// CacheReads implements phase.Cacheable: the service it writes unit tests
// beside and reads the code of, and the tests directory.
func (in Input) CacheReads() []string { return []string{in.Spec.Dir, in.Spec.TestsDir} }
