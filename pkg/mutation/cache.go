package mutation

// CacheReads implements phase.Cacheable: the service whose code it mutates
// and the tests it runs against each mutant (and, with generate, writes
// mutation-guided tests into). Its Input carries the spec, the phase's
// settings and the fault the test phase planted; the recorded answers of
// the testgen role it used are fingerprinted by the runner. A run that
// kept a new test changed the files: the next one measures again.
func (in Input) CacheReads() []string { return []string{in.Spec.Dir, in.Spec.TestsDir} }
