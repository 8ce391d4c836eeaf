package pipeline

import (
	"github.com/orchestrate-dev/orchestrate/pkg/llm"
	"github.com/orchestrate-dev/orchestrate/pkg/report"
)

// reportCall is one model exchange as the report shows it.
func reportCall(phaseName string, x llm.Exchange) report.Call {
	c := report.Call{Phase: phaseName, N: x.N, Role: x.Role, Provider: x.Provider, Model: x.Model, Prompt: x.Prompt,
		PromptTokens: x.Tokens[0], CompletionTokens: x.Tokens[1], CostUSD: x.CostUSD, LatencyMS: x.LatencyMS,
		CacheHit: x.CacheHit, Error: x.Error}
	if x.Provenance != nil {
		c.Source = x.Provenance.Source
		c.AnsweredBy = x.Provenance.Model
	}
	if len(x.Files) > 0 {
		c.PromptFile = x.Files[0]
	}
	if len(x.Files) > 1 {
		c.ResponseFile = x.Files[1]
	}
	return c
}
