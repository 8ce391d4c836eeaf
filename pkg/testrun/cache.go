package testrun

// The test phase may be reused, like `go test` reuses a test result: when
// the service's code, the tests, the settings, the compose file's
// variables and whether a service was deployed are as they were when the
// phase last passed, its result is that run's, and nothing is tested at
// all (no address is reached). When it runs, a reused deployment that
// does not run is started first (startE2E): a changed test never runs
// against a service that is not there.

// CacheReads implements phase.Cacheable: the service and the tests it
// runs and, in the remediation loop, patches.
func (in Input) CacheReads() []string { return []string{in.Spec.Dir, in.Spec.TestsDir} }
