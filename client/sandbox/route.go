package sandbox

import (
	"net/http"
	"strings"
)

// endpointOf finds the customers API in r's path under any prefix. It
// reports whether the path names the collection (…/customers) and, if not,
// the escaped rest after it (/{external_id}, or more for a path the API
// does not have); ok is false when the path is not under …/customers.
func endpointOf(r *http.Request) (collection bool, rest string, ok bool) {
	path := r.URL.EscapedPath()
	i := strings.LastIndex(path, "/customers")
	if i < 0 {
		return false, "", false
	}
	rest = path[i+len("/customers"):]
	return rest == "" || rest == "/", rest, true
}
