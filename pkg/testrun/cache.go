package testrun

// NoCache implements phase.Uncached.
func (Input) NoCache() string {
	return "its result depends on the running service: every run tests it"
}
