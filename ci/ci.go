// Package ci holds what CI runs besides the tests: the GitHub Actions
// workflow's source (github-actions.yml), the fixture answers the
// reference run is recorded from, and the tool that records them.
package ci

//go:generate cp github-actions.yml ../.github/workflows/orchestrate.yml
