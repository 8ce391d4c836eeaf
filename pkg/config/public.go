package config

import (
	"maps"

	"github.com/orchestrate-dev/orchestrate/pkg/redact"
)

// Public is the config as it may be printed or stored: credentials in a
// provider's base_url or in docker.host (user:password@, ?api-key=) are
// masked. It also returns the credentials it masked, for the run's
// redactor.
func (c Config) Public() (Config, []string) {
	var creds []string
	c.LLM.Providers = maps.Clone(c.LLM.Providers)
	for name, p := range c.LLM.Providers {
		var found []string
		p.BaseURL, found = redact.URL(p.BaseURL)
		creds = append(creds, found...)
		c.LLM.Providers[name] = p
	}
	var found []string
	c.Docker.Host, found = redact.URL(c.Docker.Host)
	return c, append(creds, found...)
}
