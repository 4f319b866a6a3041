package contract

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkParams checks r's parameters: path ones from vals, query and header
// ones from r.
func (op *operation) checkParams(r *http.Request, vals map[string]string) []string {
	var errs []string
	for _, p := range op.params {
		var got []string
		switch p.in {
		case "path":
			if v, ok := vals[p.name]; ok {
				got = []string{v}
			}
		case "query":
			got = r.URL.Query()[p.name]
		case "header":
			got = r.Header.Values(p.name)
		default:
			continue
		}
		errs = append(errs, checkValue(p.in+" parameter "+p.name, got, p.required || p.in == "path", p.schema)...)
	}
	return errs
}

// checkValue checks a parameter's or header's values, which arrive as
// text: each must meet the schema as a string or, failing that, as the
// JSON scalar the text spells (a header schema may say integer).
func checkValue(what string, vals []string, required bool, s *jsonschema.Schema) []string {
	if len(vals) == 0 {
		if required {
			return []string{what + " is required"}
		}
		return nil
	}
	var errs []string
	for _, v := range vals {
		if s == nil || s.Validate(v) == nil {
			continue
		}
		if scalar, err := jsonschema.UnmarshalJSON(strings.NewReader(v)); err == nil && s.Validate(scalar) == nil {
			continue
		}
		errs = append(errs, fmt.Sprintf("%s %q: %s", what, v, oneLine(s.Validate(v))))
	}
	return errs
}

// checkBody checks a body's media type and, for JSON with a schema, its
// content.
func checkBody(what, contentType string, body []byte, media map[string]*jsonschema.Schema) []string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return []string{fmt.Sprintf("%s: content type %q is not a media type", what, contentType)}
	}
	s, ok := media[mt]
	if !ok {
		s, ok = media[strings.Split(mt, "/")[0]+"/*"]
	}
	if !ok {
		s, ok = media["*/*"]
	}
	if !ok {
		return []string{fmt.Sprintf("%s: content type %s is not one the description gives", what, mt)}
	}
	if s == nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{fmt.Sprintf("%s is not JSON: %v", what, err)}
	}
	if err := s.Validate(v); err != nil {
		return []string{what + ": " + oneLine(err)}
	}
	return nil
}

// oneLine flattens a validation error's report onto one line, without the
// heading that names the schema.
func oneLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > 1 && strings.HasPrefix(lines[0], "jsonschema validation failed") {
		lines = lines[1:]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
