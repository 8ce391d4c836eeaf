package spec

import (
	"errors"
	"strings"
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

func TestValidationValuesAndDefaults(t *testing.T) {
	for name, c := range map[string]struct {
		v     Validation
		field string
	}{
		"bad unknown_fields":    {Validation{UnknownFields: "drop"}, "service.validation.unknown_fields"},
		"bad report_as":         {Validation{ReportAs: "name"}, "service.validation.report_as"},
		"bad order":             {Validation{Order: "middle"}, "service.validation.order"},
		"report_as with ignore": {Validation{UnknownFields: "ignore", ReportAs: "body"}, "service.validation.report_as"},
		"order with ignore":     {Validation{UnknownFields: "ignore", Order: "last"}, "service.validation.order"},
		"all set":               {Validation{UnknownFields: "reject", ReportAs: "body", Order: "last"}, ""},
		"ignore alone":          {Validation{UnknownFields: "ignore"}, ""},
		"empty means defaults":  {Validation{}, ""},
	} {
		s := valid()
		s.Validation = &c.v
		err := s.Validate()
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s: got %v, want field %s", name, err, c.field)
		}
	}
	var none *Validation
	if e := none.Effective(); e != (Validation{UnknownFields: "reject", ReportAs: "field", Order: "first"}) {
		t.Errorf("defaults = %+v", e)
	}
	for v, want := range map[*Validation][]string{
		nil:                               {"is invalid,", "own name", "before the fields"},
		{ReportAs: "body", Order: "last"}: {"is invalid,", `("body")`, "after every field"},
		{UnknownFields: "ignore"}:         {"ignore them"},
	} {
		rule := v.Rule()
		for _, w := range want {
			if !strings.Contains(rule, w) {
				t.Errorf("Rule() for %+v = %q, want it to say %q", v, rule, w)
			}
		}
	}
}

func TestPromptRenderingsLeaveEmptyPartsOut(t *testing.T) {
	eps := []Endpoint{
		{Method: "GET", Path: "/v1/limits", Description: "The limit of a category.\nIn cents.",
			Examples: []Example{{Name: "meals", Query: map[string]string{"category": "meals"}, Status: 200, Response: map[string]any{"limit_cents": 5000}}}},
		{Method: "POST", Path: "/v1/check", Description: "Check one expense.",
			Examples: []Example{{Name: "empty", Body: map[string]any{}, Status: 400}, {Name: "none", Status: 400}}},
	}
	got, err := PromptExamples(eps)
	if err != nil {
		t.Fatal(err)
	}
	want := `GET /v1/limits
  The limit of a category.
  In cents.
  Examples (request -> status, then a subset of the JSON answer):
  - meals: query ?category=meals -> 200 {"limit_cents":5000}

POST /v1/check
  Check one expense.
  Examples (request -> status, then a subset of the JSON answer):
  - empty: body {} -> 400
  - none: no body -> 400
`
	if got != want {
		t.Errorf("PromptExamples:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range []string{"null", "query: {}", "body:"} {
		if strings.Contains(got, bad) {
			t.Errorf("PromptExamples holds %q", bad)
		}
	}
	cov := PromptCoverage(eps)
	if !strings.Contains(cov, "Covered by the acceptance tests: empty (400), none (400)\n") || strings.Contains(cov, "limit_cents") {
		t.Errorf("PromptCoverage:\n%s", cov)
	}
}
