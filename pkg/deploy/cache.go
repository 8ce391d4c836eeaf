package deploy

// NoCache implements phase.Uncached.
func (Input) NoCache() string {
	return "it starts the service's containers, which the tests need running: every run starts them"
}
