package spec

import (
	"errors"
	"testing"
)

func valid() Service {
	return Service{
		Name: "notifier", Description: "routes deploy events", Module: "example.com/notifier", Port: 8080,
		Dir: "service", TestsDir: "tests",
		Endpoints: []Endpoint{
			{Method: "GET", Path: "/healthz", Description: "health", Examples: []Example{{Name: "ok", Status: 200}}},
			{Method: "POST", Path: "/v1/events", Description: "events", Examples: []Example{{Name: "bad", Body: map[string]any{}, Status: 400}}},
		},
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := map[string]struct {
		mut   func(*Service)
		field string
	}{
		"duplicate endpoint":  {func(s *Service) { s.Endpoints[1].Method, s.Endpoints[1].Path = "GET", "/healthz" }, "service.endpoints[1]"},
		"missing status":      {func(s *Service) { s.Endpoints[0].Examples[0].Status = 0 }, "service.endpoints[0].examples[0].status"},
		"path without slash":  {func(s *Service) { s.Endpoints[1].Path = "v1/events" }, "service.endpoints[1].path"},
		"bad method":          {func(s *Service) { s.Endpoints[0].Method = "get" }, "service.endpoints[0].method"},
		"no endpoints":        {func(s *Service) { s.Endpoints = nil }, "service.endpoints"},
		"bad port":            {func(s *Service) { s.Port = 70000 }, "service.port"},
		"dir outside workdir": {func(s *Service) { s.Dir = "../x" }, "service.dir"},
		"GET with a body":     {func(s *Service) { s.Endpoints[0].Examples[0].Body = "x" }, "service.endpoints[0].examples[0].body"},
		"duplicate example": {func(s *Service) {
			s.Endpoints[0].Examples = append(s.Endpoints[0].Examples, Example{Name: "ok", Status: 200})
		}, "service.endpoints[0].examples[1].name"},
	}
	for name, c := range cases {
		s := valid()
		c.mut(&s)
		err := s.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: got %v, want field %s", name, err, c.field)
		}
	}
	s := valid()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}
