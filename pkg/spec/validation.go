package spec

import "fmt"

// Validation settles what a description often leaves open about request
// bodies, so the codegen and testgen prompts state it instead of leaving
// the model to guess: what a JSON field the endpoint does not define does.
// Every field is optional; the defaults are the values marked so.
type Validation struct {
	// UnknownFields: "reject" (default) makes a body with a field the
	// endpoint does not define invalid, answered as the description
	// answers an invalid request; "ignore" accepts it.
	UnknownFields string `yaml:"unknown_fields" json:"unknown_fields,omitempty"`
	// ReportAs, when rejected: "field" (default) names the unknown field
	// itself as the invalid field; "body" reports it as the body, as for a
	// body that is not JSON.
	ReportAs string `yaml:"report_as" json:"report_as,omitempty"`
	// Order, when rejected: "first" (default) checks unknown fields before
	// the fields the description lists, so an unknown field is the first
	// invalid field; "last" checks them after every listed field.
	Order string `yaml:"order" json:"order,omitempty"`
}

// Effective is v with the defaults filled in; v may be nil.
func (v *Validation) Effective() Validation {
	var e Validation
	if v != nil {
		e = *v
	}
	if e.UnknownFields == "" {
		e.UnknownFields = "reject"
	}
	if e.UnknownFields == "reject" {
		if e.ReportAs == "" {
			e.ReportAs = "field"
		}
		if e.Order == "" {
			e.Order = "first"
		}
	}
	return e
}

// validate checks the values; the field is relative (".report_as").
func (v *Validation) validate() *FieldError {
	if v == nil {
		return nil
	}
	bad := func(field, value, allowed string) *FieldError {
		return &FieldError{Field: field, Msg: fmt.Sprintf("%q must be %s", value, allowed)}
	}
	switch v.UnknownFields {
	case "", "reject", "ignore":
	default:
		return bad(".unknown_fields", v.UnknownFields, "reject or ignore")
	}
	switch v.ReportAs {
	case "", "field", "body":
	default:
		return bad(".report_as", v.ReportAs, "field or body")
	}
	switch v.Order {
	case "", "first", "last":
	default:
		return bad(".order", v.Order, "first or last")
	}
	if v.UnknownFields == "ignore" && (v.ReportAs != "" || v.Order != "") {
		field := ".report_as"
		if v.ReportAs == "" {
			field = ".order"
		}
		return &FieldError{Field: field, Msg: "only applies when unknown_fields is reject; ignored fields are never reported"}
	}
	return nil
}

// Rule is the sentence both the codegen and the testgen prompts carry,
// whatever the spec says, so no model guesses it. It names no status
// code: the description says how an invalid request is answered.
func (v *Validation) Rule() string {
	e := v.Effective()
	if e.UnknownFields == "ignore" {
		return "A JSON request body may hold fields the endpoint does not define: ignore them (they are not an error)."
	}
	s := "A JSON request body with a field the endpoint does not define is invalid, answered as the description answers an invalid request. "
	if e.ReportAs == "body" {
		s += `It is reported as the body ("body"), as for a body that is not JSON, not under the unknown field's name. `
	} else {
		s += `It is reported under the unknown field's own name, not as "body". `
	}
	if e.Order == "last" {
		return s + "Unknown fields are checked after every field the description lists: one is reported only when all listed fields are valid."
	}
	return s + "Unknown fields are checked before the fields the description lists: one is the first invalid field, whatever else is wrong."
}
