package sandbox

import (
	"testing"

	"github.com/prolifi/prolifi-import/client"
)

// FuzzDecodeCreate: whatever the body, the decoder gives either a 400
// message or field errors, never both, and never accepts a request that
// the API's rules refuse.
func FuzzDecodeCreate(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.co"}`, `{"email":5}`, `[1]`, `{"email":"a@b.co","metadata":[1]}`, `{"email":"x","name":null}`, ``, `{"email":"a@b.co","phone":"\u00e9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, errs, msg := decodeCreate(body)
		if msg != "" && len(errs) > 0 {
			t.Fatalf("both a 400 (%s) and field errors %v", msg, errs)
		}
		if msg == "" && len(errs) == 0 {
			if bad := client.Validate(req); len(bad) > 0 {
				t.Fatalf("accepted %+v, which breaks %v", req, bad)
			}
		}
	})
}
