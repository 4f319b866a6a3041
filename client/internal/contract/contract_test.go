package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadChecker(t *testing.T) *Checker {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoadChecksTheDescription: the description is held to the OpenAPI 3.1
// meta-schema, Schema Objects included, and its schemas must compile.
func TestLoadChecksTheDescription(t *testing.T) {
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new string
		wantErr        string // "" wants success
	}{
		{"as written", "", "", ""},
		{"not 3.1", "openapi: 3.1.0", "openapi: 3.0.3", "not a valid OpenAPI 3.1"},
		{"unknown type in a schema", "NullableText:\n      type: [string, 'null']", "NullableText:\n      type: [strin, 'null']", "not a valid OpenAPI 3.1"},
		{"operationId not text", "operationId: createCustomer", "operationId: [createCustomer]", "not a valid OpenAPI 3.1"},
		{"unknown top-level field", "paths:\n", "pathz: {}\npaths:\n", "not a valid OpenAPI 3.1"},
		{"dangling schema reference", "$ref: '#/components/schemas/NewCustomer'", "$ref: '#/components/schemas/Nobody'", "compile schema"},
		{"dangling response reference", "'401': {$ref: '#/components/responses/Problem'}", "'401': {$ref: '#/components/responses/Nope'}", "names nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := string(spec)
			if tt.old != "" {
				if !strings.Contains(doc, tt.old) {
					t.Fatalf("openapi.yaml no longer holds %q", tt.old)
				}
				doc = strings.Replace(doc, tt.old, tt.new, 1)
			}
			_, err := load([]byte(doc), filepath.Join("testdata", "oas-3.1"))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("load: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("load: %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

const api = "http://127.0.0.1:8080/api/v1/public"

func TestRequest(t *testing.T) {
	c := loadChecker(t)
	tests := []struct {
		name, method, url, auth, ctype, body string
		want                                 string // "" wants no violation; else a part of the report
	}{
		{"minimal create", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":"a@b.co"}`, ""},
		{"every field, nulls allowed", "POST", api + "/customers", "Bearer sk_test_x", "application/json; charset=utf-8", `{"email":"a@b.co","name":null,"first_name":"A","phone":null,"country_id":"d290f1ee-6c54-4b01-90e6-d701748f0851","metadata":{"k":1}}`, ""},
		{"get by external id", "GET", api + "/customers/c%2F1", "Bearer pk_test_x", "", "", ""},
		{"email a number", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":5}`, "at '/email'"},
		{"empty country_id", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":"a@b.co","country_id":""}`, "at '/country_id'"},
		{"no email", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"name":"no email"}`, "missing property 'email'"},
		{"not an email", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":"nope"}`, "at '/email'"},
		{"name a number", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":"a@b.co","name":5}`, "want null or string"},
		{"metadata an array", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":"a@b.co","metadata":[]}`, "at '/metadata'"},
		{"no body", "POST", api + "/customers", "Bearer sk_test_x", "application/json", "", "body is required"},
		{"not json", "POST", api + "/customers", "Bearer sk_test_x", "application/json", `{"email":`, "not JSON"},
		{"other media type", "POST", api + "/customers", "Bearer sk_test_x", "text/plain", `{"email":"a@b.co"}`, "content type text/plain"},
		{"no key", "POST", api + "/customers", "", "application/json", `{"email":"a@b.co"}`, "no credentials for security scheme bearer"},
		{"basic, not bearer", "GET", api + "/customers/x", "Basic abc", "", "", "no credentials"},
		{"unknown path", "GET", api + "/invoices", "Bearer sk_test_x", "", "", "no path"},
		{"unknown method", "DELETE", api + "/customers", "Bearer sk_test_x", "", "", "no DELETE"},
		{"outside the servers", "GET", "http://127.0.0.1/other/customers/x", "Bearer sk_test_x", "", "", "under no server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			got := c.Request(r)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("report %q, want %q", got, tt.want)
			}
			if b, _ := io.ReadAll(r.Body); string(b) != tt.body {
				t.Errorf("body after the check %q, want it restored", b)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	c := loadChecker(t)
	const customer = `"email":"a@b.co","status":"active","type":"individual","created_at":"2026-11-27T12:00:00Z","updated_at":"2026-11-27T12:00:00Z","name":null,"external_id":"c1"`
	const id = `"id":"0b6f1c1e-7f43-4f7b-9d6e-1f2a3b4c5d6e",`
	tests := []struct {
		name, method, path string
		status             int
		ctype, body        string
		header             map[string]string
		want               string
	}{
		{"created", "POST", "/customers", 201, "application/json", `{"data":{` + id + customer + `}}`, nil, ""},
		{"found", "GET", "/customers/c1", 200, "application/json", `{"data":{` + id + customer + `}}`, nil, ""},
		{"missing data.id", "POST", "/customers", 201, "application/json", `{"data":{` + customer + `}}`, nil, "missing property 'id'"},
		{"id not a uuid", "POST", "/customers", 201, "application/json", `{"data":{"id":"42",` + customer + `}}`, nil, "at '/data/id'"},
		{"status outside the enum", "GET", "/customers/c1", 200, "application/json", `{"data":{` + id + strings.Replace(customer, "active", "gone", 1) + `}}`, nil, "at '/data/status'"},
		{"bad timestamp", "GET", "/customers/c1", 200, "application/json", `{"data":{` + id + strings.Replace(customer, "2026-11-27T12:00:00Z", "yesterday", 1) + `}}`, nil, "at '/data/created_at'"},
		{"validation error", "POST", "/customers", 422, "application/json", `{"error":{"type":"validation_error","message":"bad","errors":[{"field":"email","message":"is required"}]}}`, nil, ""},
		{"unknown error type", "POST", "/customers", 422, "application/json", `{"error":{"type":"oops","message":"bad"}}`, nil, "at '/error/type'"},
		{"error without message", "GET", "/customers/x", 404, "application/json", `{"error":{"type":"not_found"}}`, nil, "missing property 'message'"},
		{"throttled", "GET", "/customers/x", 429, "application/json", `{"error":{"type":"rate_limit_error","message":"slow"}}`, map[string]string{"Retry-After": "2"}, ""},
		{"undeclared status", "GET", "/customers/x", 418, "application/json", `{}`, nil, "does not answer 418"},
		{"html page", "POST", "/customers", 500, "text/html", `<html></html>`, nil, "content type text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, api+tt.path, nil)
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {tt.ctype}}, Body: io.NopCloser(strings.NewReader(tt.body))}
			for k, v := range tt.header {
				resp.Header.Set(k, v)
			}
			got := c.Response(r, resp)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("report %q, want %q", got, tt.want)
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != tt.body {
				t.Errorf("body after the check %q, want it restored", b)
			}
		})
	}
}
