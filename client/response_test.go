package client_test

import (
	"net/textproto"
	"testing"
)

// TestRateLimitHeaderKeysAreCanonical: parseRateLimit reads the header map
// directly, so its keys must be what net/http stores.
func TestRateLimitHeaderKeysAreCanonical(t *testing.T) {
	for _, k := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Ratelimit-Limit",
		"Ratelimit-Remaining", "Ratelimit-Reset", "Ratelimit-Policy", "Ratelimit"} {
		if c := textproto.CanonicalMIMEHeaderKey(k); c != k {
			t.Errorf("%q is stored as %q", k, c)
		}
	}
}
