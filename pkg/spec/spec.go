// Package spec is the service spec: what the generated service must do,
// with request/response examples that become its acceptance tests.
package spec

import (
	"fmt"
	"regexp"
	"strings"
)

// Service is the `service` section of orchestrate.yaml.
type Service struct {
	Name        string     `yaml:"name" json:"name"`
	Description string     `yaml:"description" json:"description"`
	Module      string     `yaml:"module" json:"module"`
	Port        int        `yaml:"port" json:"port"`
	Dir         string     `yaml:"dir" json:"dir"`             // service code, relative to the workdir
	TestsDir    string     `yaml:"tests_dir" json:"tests_dir"` // generated tests, relative to the workdir
	Env         []EnvVar   `yaml:"env" json:"env,omitempty"`   // the service's own configuration
	Endpoints   []Endpoint `yaml:"endpoints" json:"endpoints"`
	// Validation settles what descriptions often leave open about request
	// bodies; nil means the defaults (see Validation).
	Validation *Validation `yaml:"validation" json:"validation,omitempty"`
}

// EnvVar is one environment variable the service reads, with the value the
// compose file gives it.
type EnvVar struct {
	Name        string `yaml:"name" json:"name"`
	Value       string `yaml:"value" json:"value"`
	Description string `yaml:"description" json:"description,omitempty"`
}

// Endpoint is one HTTP route.
type Endpoint struct {
	Method      string    `yaml:"method" json:"method"`
	Path        string    `yaml:"path" json:"path"`
	Description string    `yaml:"description" json:"description"`
	Examples    []Example `yaml:"examples" json:"examples"`
}

// Example is an executable example: a request and the answer it must get.
type Example struct {
	Name     string            `yaml:"name" json:"name"`
	Body     any               `yaml:"body,omitempty" json:"body,omitempty"`
	Query    map[string]string `yaml:"query,omitempty" json:"query,omitempty"`
	Status   int               `yaml:"status" json:"status"`
	Response any               `yaml:"response,omitempty" json:"response,omitempty"` // a JSON subset of the answer
}

var (
	nameRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	exampleRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	methods   = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}
)

// FieldError names the spec field that is wrong.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Validate checks the spec and returns the first problem, naming its field.
func (s *Service) Validate() error {
	f := func(field, format string, args ...any) error {
		return &FieldError{Field: "service." + field, Msg: fmt.Sprintf(format, args...)}
	}
	if !nameRe.MatchString(s.Name) {
		return f("name", "%q must be lower-case letters, digits and '-', starting with a letter (it names the image and containers)", s.Name)
	}
	if strings.TrimSpace(s.Description) == "" {
		return f("description", "required: it is the brief the model writes the service from")
	}
	if s.Module == "" || strings.ContainsAny(s.Module, " \t\\") {
		return f("module", "%q must be a Go module path such as example.com/%s", s.Module, s.Name)
	}
	if s.Port < 1 || s.Port > 65535 {
		return f("port", "%d is not a TCP port (1-65535)", s.Port)
	}
	for _, d := range []struct{ k, v string }{{"dir", s.Dir}, {"tests_dir", s.TestsDir}} {
		if d.v == "" || strings.HasPrefix(d.v, "/") || strings.Contains(d.v, "..") {
			return f(d.k, "%q must be a relative path inside the workdir", d.v)
		}
	}
	for i, e := range s.Env {
		if !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(e.Name) {
			return f(fmt.Sprintf("env[%d].name", i), "%q is not an environment variable name", e.Name)
		}
	}
	if len(s.Endpoints) == 0 {
		return f("endpoints", "at least one endpoint is required")
	}
	seen := map[string]int{}
	for i, e := range s.Endpoints {
		at := fmt.Sprintf("endpoints[%d]", i)
		key := e.Method + " " + e.Path
		if j, ok := seen[key]; ok && methods[e.Method] && strings.HasPrefix(e.Path, "/") {
			return f(at, "duplicate endpoint %s (also endpoints[%d])", key, j)
		}
		seen[key] = i
		if err := e.validate(); err != nil {
			return f(at+err.Field, "%s", err.Msg)
		}
	}
	if err := s.Validation.validate(); err != nil {
		return f("validation"+err.Field, "%s", err.Msg)
	}
	return nil
}

// validate checks one endpoint; the field is relative to it (".path").
func (e Endpoint) validate() *FieldError {
	f := func(field, format string, args ...any) *FieldError {
		return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if !methods[e.Method] {
		return f(".method", "%q must be one of GET, POST, PUT, PATCH, DELETE", e.Method)
	}
	if !strings.HasPrefix(e.Path, "/") {
		return f(".path", "%q must start with '/'", e.Path)
	}
	if strings.TrimSpace(e.Description) == "" {
		return f(".description", "required")
	}
	names := map[string]bool{}
	for k, x := range e.Examples {
		xat := fmt.Sprintf(".examples[%d]", k)
		if !exampleRe.MatchString(x.Name) {
			return f(xat+".name", "%q must be letters, digits, '-' and '_' (it names a test)", x.Name)
		}
		if names[x.Name] {
			return f(xat+".name", "duplicate example name %q", x.Name)
		}
		names[x.Name] = true
		if x.Status == 0 {
			return f(xat+".status", "required: the status code the example must get")
		}
		if x.Status < 100 || x.Status > 599 {
			return f(xat+".status", "%d is not an HTTP status", x.Status)
		}
		if x.Body != nil && (e.Method == "GET" || e.Method == "DELETE") {
			return f(xat+".body", "a %s request has no body; use query", e.Method)
		}
	}
	return nil
}
