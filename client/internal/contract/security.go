package contract

import (
	"fmt"
	"net/http"
	"strings"
)

// requirement is one Security Requirement Object: a request meets it when
// it carries every scheme in it. An empty one is met by any request.
type requirement []scheme

// scheme is a Security Scheme Object, as far as a request shows it.
type scheme struct {
	name   string
	http   string // "bearer" or "basic" for type http
	header string // for an apiKey in a header
	query  string // for an apiKey in the query
}

// requirements reads a list of Security Requirement Objects, finding each
// scheme under components.securitySchemes.
func requirements(root, list node) ([]requirement, error) {
	var out []requirement
	for _, rn := range list.items() {
		req := requirement{}
		for _, name := range rn.keys() {
			sn, err := root.at("components").at("securitySchemes").at(name).deref(root)
			if err != nil {
				return nil, err
			}
			s := scheme{name: name}
			switch typ, in := sn.at("type").str(), sn.at("in").str(); {
			case typ == "http":
				s.http = strings.ToLower(sn.at("scheme").str())
			case typ == "apiKey" && in == "header":
				s.header = http.CanonicalHeaderKey(sn.at("name").str())
			case typ == "apiKey" && in == "query":
				s.query = sn.at("name").str()
			default:
				return nil, fmt.Errorf("security scheme %q: type %q in %q is not supported", name, typ, in)
			}
			req = append(req, s)
		}
		out = append(out, req)
	}
	return out, nil
}

// secured returns "" when r meets one of reqs (or there are none), or what
// it lacks.
func secured(reqs []requirement, r *http.Request) string {
	if len(reqs) == 0 {
		return ""
	}
	var missing []string
	for _, req := range reqs {
		lacks := ""
		for _, s := range req {
			if !s.carried(r) {
				lacks = s.name
				break
			}
		}
		if lacks == "" {
			return ""
		}
		missing = append(missing, lacks)
	}
	return "no credentials for security scheme " + strings.Join(missing, " or ")
}

// carried reports whether r carries credentials in the scheme's form.
func (s scheme) carried(r *http.Request) bool {
	switch {
	case s.header != "":
		return r.Header.Get(s.header) != ""
	case s.query != "":
		return r.URL.Query().Get(s.query) != ""
	}
	auth, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if s.http == "" {
		return ok
	}
	return ok && strings.EqualFold(auth, s.http) && strings.TrimSpace(cred) != ""
}
