package report

// NoCache implements phase.Uncached.
func (Input) NoCache() string { return "it reports this run" }
