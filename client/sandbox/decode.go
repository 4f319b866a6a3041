package sandbox

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/prolifi/prolifi-import/client"
)

// decodeCreate parses a create body the way the API does. A body that is not
// a JSON object gives msg (400); fields of the wrong type or failing the
// rules give errs (422), every failing field at once.
func decodeCreate(body []byte) (req client.CreateCustomerRequest, errs []client.FieldError, msg string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return req, nil, "The body must be a JSON object."
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return req, nil, "The body is not valid JSON."
	}
	bad := map[string]bool{}
	str := func(field string, dst *string, required bool) {
		v, present := raw[field]
		if !present || string(v) == "null" {
			if required {
				errs = append(errs, client.FieldError{Field: field, Message: "is required"})
				bad[field] = true
			}
			return
		}
		if !utf8.Valid(v) {
			errs = append(errs, client.FieldError{Field: field, Message: "must be valid UTF-8 text"})
			bad[field] = true
			return
		}
		if json.Unmarshal(v, dst) != nil {
			m := "must be a string or null"
			if required {
				m = "must be a string"
			}
			errs = append(errs, client.FieldError{Field: field, Message: m})
			bad[field] = true
		}
	}
	str("email", &req.Email, true)
	str("name", &req.Name, false)
	str("first_name", &req.FirstName, false)
	str("last_name", &req.LastName, false)
	str("company_name", &req.CompanyName, false)
	str("external_id", &req.ExternalID, false)
	str("phone", &req.Phone, false)
	str("country_id", &req.CountryID, false)
	if v, ok := raw["metadata"]; ok && string(v) != "null" {
		if len(v) == 0 || v[0] != '{' {
			errs = append(errs, client.FieldError{Field: "metadata", Message: "must be a JSON object or null"})
			bad["metadata"] = true
		} else {
			req.Metadata = v
		}
	}
	req = client.Normalize(req)
	for _, e := range client.Validate(req) {
		if !bad[e.Field] {
			errs = append(errs, e)
		}
	}
	return req, errs, ""
}
