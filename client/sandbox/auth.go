package sandbox

import (
	"context"
	"net/http"
	"strings"

	"github.com/prolifi/prolifi-import/client"
)

// kindKey is the context key under which authenticate leaves the caller's
// key kind for the handlers after it.
type kindKey struct{}

// keyKind returns the kind of key authenticate accepted for the request
// with ctx.
func keyKind(ctx context.Context) client.KeyKind {
	k, _ := ctx.Value(kindKey{}).(client.KeyKind)
	return k
}

// authenticate is middleware that checks the bearer key as the API does:
// absent, malformed or unknown is 401. What a key may do is the handlers'
// business (403), since the API checks it per operation.
func authenticate(ans *answers) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			scheme, key, found := strings.Cut(h, " ")
			if h == "" || !found || !strings.EqualFold(scheme, "Bearer") {
				ans.problem(w, http.StatusUnauthorized, client.TypeAuthentication, "Missing or malformed Authorization header: send 'Bearer <api key>'.", nil)
				return
			}
			kind, err := client.ParseKey(strings.TrimSpace(key))
			if err != nil {
				ans.problem(w, http.StatusUnauthorized, client.TypeAuthentication, "The API key is not valid.", nil)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), kindKey{}, kind)))
		})
	}
}
