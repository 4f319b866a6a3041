package client_test

import (
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client"
)

func TestValidate(t *testing.T) {
	ok := client.CreateCustomerRequest{Email: "a@b.co"}
	with := func(f func(*client.CreateCustomerRequest)) client.CreateCustomerRequest {
		r := ok
		f(&r)
		return r
	}
	tests := []struct {
		name string
		req  client.CreateCustomerRequest
		want string // "field: message; …"
	}{
		{"minimal", ok, ""},
		{"missing email", client.CreateCustomerRequest{}, "email: is required"},
		{"display name", with(func(r *client.CreateCustomerRequest) { r.Email = "Jane <a@b.co>" }), "email: must be a valid email address"},
		{"no domain dot", with(func(r *client.CreateCustomerRequest) { r.Email = "a@localhost" }), "email: must be a valid email address"},
		{"two ats", with(func(r *client.CreateCustomerRequest) { r.Email = "a@b@c.co" }), "email: must be a valid email address"},
		{"unicode email ok", with(func(r *client.CreateCustomerRequest) { r.Email = "josé@exämple.de" }), ""},
		{"long name", with(func(r *client.CreateCustomerRequest) { r.Name = strings.Repeat("é", 256) }), "name: must be at most 255 characters"},
		{"255 multibyte ok", with(func(r *client.CreateCustomerRequest) { r.Name = strings.Repeat("é", 255) }), ""},
		{"bad utf8", with(func(r *client.CreateCustomerRequest) { r.LastName = "M\xfcller" }), "last_name: must be valid UTF-8 text"},
		{"nul", with(func(r *client.CreateCustomerRequest) { r.Phone = "1\x002" }), "phone: must not contain NUL characters"},
		{"control in external id", with(func(r *client.CreateCustomerRequest) { r.ExternalID = "a\tb" }), "external_id: must not contain control characters"},
		{"uuid", with(func(r *client.CreateCustomerRequest) { r.CountryID = "D290F1EE-6C54-4B01-90E6-D701748F0851" }), ""},
		{"not uuid", with(func(r *client.CreateCustomerRequest) { r.CountryID = "{d290f1ee-6c54-4b01-90e6-d701748f0851}" }), "country_id: must be a UUID such as 3f1c2a9e-8b7d-4c6e-9a5f-0d1e2f3a4b5c"},
		{"metadata array", with(func(r *client.CreateCustomerRequest) { r.Metadata = []byte(`[1]`) }), "metadata: must be a JSON object"},
		{"metadata null", with(func(r *client.CreateCustomerRequest) { r.Metadata = []byte(`null`) }), ""},
		{"metadata long key", with(func(r *client.CreateCustomerRequest) { r.Metadata = []byte(`{"` + strings.Repeat("k", 41) + `":1}`) }), "metadata: keys must be 1 to 40 characters"},
		{"several", client.CreateCustomerRequest{Email: "x", CountryID: "1", Phone: strings.Repeat("1", 51)}, "email: must be a valid email address; phone: must be at most 50 characters; country_id: must be a UUID such as 3f1c2a9e-8b7d-4c6e-9a5f-0d1e2f3a4b5c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := client.JoinFieldErrors(client.Validate(client.Normalize(tt.req))); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
