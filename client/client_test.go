package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/internal/contract"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

const testKey = "sk_test_51SecretValue"

func TestNew(t *testing.T) {
	tests := []struct {
		base, key string
		wantErr   bool
		canWrite  bool
	}{
		{"https://api.prolifi.co/api/v1/public", "sk_live_x", false, true},
		{"https://sandbox.prolifi.co/api/v1/public/", "sk_test_x", false, true},
		{"https://api.prolifi.co/api/v1/public", "pk_live_x", false, false},
		{"https://api.prolifi.co/api/v1/public", "pk_test_x", false, false},
		{"http://127.0.0.1:8080/api/v1/public", "sk_test_x", false, true},
		{"http://localhost:8080/api", "sk_test_x", false, true},
		{"http://[::1]:8080/api", "sk_test_x", false, true},
		{"http://api.prolifi.co/api/v1/public", "sk_test_x", true, false},
		{"http://10.0.0.1/api", "sk_test_x", true, false},
		{"ftp://api.prolifi.co/", "sk_test_x", true, false},
		{"https://user:pw@api.prolifi.co/", "sk_test_x", true, false},
		{"api.prolifi.co", "sk_test_x", true, false},
		{"https://api.prolifi.co", "sk_prod_x", true, false},
		{"https://api.prolifi.co", "sk_test_", true, false},
		{"https://api.prolifi.co", "", true, false},
		{"https://api.prolifi.co", "sk_test_a b", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.key, func(t *testing.T) {
			c, err := client.New(tt.base, tt.key)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if tt.key != "" && len(tt.key) > 8 && strings.Contains(err.Error(), tt.key) {
					t.Errorf("error shows the key: %v", err)
				}
				return
			}
			if c.Kind().CanWrite() != tt.canWrite {
				t.Errorf("CanWrite %v", c.Kind().CanWrite())
			}
			if strings.Contains(fmt.Sprintf("%v %+v %#v %s", c, c, c, c), tt.key) {
				t.Error("formatting the client shows the key")
			}
		})
	}
}

// answer is a canned HTTP answer.
type answer struct {
	status int
	header map[string]string
	body   string
}

func serve(t *testing.T, a answer) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := client.New(srv.URL+"/api/v1/public", testKey, client.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorDecoding(t *testing.T) {
	tests := []struct {
		name       string
		answer     answer
		wantType   string
		wantMsg    string
		wantFields int
		wantBody   string
		wantRetry  time.Duration
		wantClass  client.Class
	}{
		{"spec shape 422", answer{422, nil, `{"error":{"type":"validation_error","message":"The given data was invalid.","errors":[{"field":"email","message":"is required"},{"field":"country_id","message":"must be a UUID"}]}}`}, "validation_error", "The given data was invalid.", 2, "", 0, client.Permanent},
		{"429 seconds", answer{429, map[string]string{"Retry-After": "7"}, `{"error":{"type":"rate_limit_error","message":"slow down"}}`}, "rate_limit_error", "slow down", 0, "", 7 * time.Second, client.Retryable},
		{"429 http date", answer{429, map[string]string{"Retry-After": "Fri, 27 Nov 2026 12:00:30 GMT"}, `{"error":{"type":"rate_limit_error","message":"slow down"}}`}, "rate_limit_error", "slow down", 0, "", 30 * time.Second, client.Retryable},
		{"429 date in the past", answer{429, map[string]string{"Retry-After": "Fri, 27 Nov 2026 11:00:00 GMT"}, `{"error":{"type":"rate_limit_error","message":"x"}}`}, "rate_limit_error", "x", 0, "", 0, client.Retryable},
		{"429 reset epoch", answer{429, map[string]string{"X-RateLimit-Reset": "1795780805"}, `{"error":{"type":"rate_limit_error","message":"x"}}`}, "rate_limit_error", "x", 0, "", 5 * time.Second, client.Retryable},
		{"429 reset delta", answer{429, map[string]string{"X-RateLimit-Reset": "3"}, `{"error":{"type":"rate_limit_error","message":"x"}}`}, "rate_limit_error", "x", 0, "", 3 * time.Second, client.Retryable},
		{"html from a proxy", answer{502, map[string]string{"Content-Type": "text/html"}, "<html><body>Bad Gateway</body></html>\n"}, "", "Bad Gateway", 0, "<html><body>Bad Gateway</body></html>", 0, client.Retryable},
		{"empty 502", answer{502, nil, ""}, "", "Bad Gateway", 0, "", 0, client.Retryable},
		{"huge html trimmed", answer{500, nil, strings.Repeat("é", 5000)}, "", "Internal Server Error", 0, strings.Repeat("é", 256) + "…", 0, client.Retryable},
		{"409 conflict", answer{409, nil, `{"error":{"type":"conflict","message":"taken"}}`}, "conflict", "taken", 0, "", 0, client.Permanent},
		{"401 echoes key", answer{401, nil, `{"error":{"type":"authentication_error","message":"key ` + testKey + ` is revoked"}}`}, "authentication_error", "key [redacted] is revoked", 0, "", 0, client.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, tt.answer)
			_, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err %T %v, want *APIError", err, err)
			}
			if ae.Status != tt.answer.status || ae.Type != tt.wantType || ae.Message != tt.wantMsg || len(ae.FieldErrors) != tt.wantFields || ae.Body != tt.wantBody || ae.RetryAfter != tt.wantRetry {
				t.Errorf("got %+v", ae)
			}
			if got := client.Classify(err); got != tt.wantClass {
				t.Errorf("class %v, want %v", got, tt.wantClass)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

func TestTransportClassification(t *testing.T) {
	t.Run("refused before sending is retryable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, _ := client.New("http://"+addr+"/api", testKey)
		_, err = c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		if client.Classify(err) != client.Retryable {
			t.Fatalf("class %v for %v", client.Classify(err), err)
		}
	})
	t.Run("dropped after sending is unknown", func(t *testing.T) {
		emu := sandbox.New(sandbox.Config{LostRate: 1})
		srv := httptest.NewServer(emu)
		defer srv.Close()
		c, _ := client.New(srv.URL+"/api", testKey)
		_, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "e1"})
		if client.Classify(err) != client.OutcomeUnknown {
			t.Fatalf("class %v for %v", client.Classify(err), err)
		}
		if emu.Stats().Created != 1 {
			t.Error("the emulator did not create the customer")
		}
	})
	t.Run("timeout after sending is unknown", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-release
		}))
		defer srv.Close()
		defer close(release)
		c, _ := client.New(srv.URL+"/api", testKey, client.WithTimeout(50*time.Millisecond))
		_, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		if client.Classify(err) != client.OutcomeUnknown {
			t.Fatalf("class %v for %v", client.Classify(err), err)
		}
	})
}

// TestRequestsMeetContract sends the client's requests through the
// emulator and checks each against the OpenAPI description, and checks that
// the checker does reject a request outside the contract.
func TestRequestsMeetContract(t *testing.T) {
	chk, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []string
	emu := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := chk.Request(r); msg != "" {
			mu.Lock()
			violations = append(violations, r.Method+" "+r.URL.Path+": "+msg)
			mu.Unlock()
		}
		emu.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := client.New(srv.URL+"/api/v1/public", testKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reqs := []client.CreateCustomerRequest{
		{Email: "min@b.co"},
		{Email: "all@b.co", Name: "Jane Smith", FirstName: "Jane", LastName: "Smith", CompanyName: "Acme", ExternalID: "c-1", Phone: "+44 20 7946 0958", CountryID: "d290f1ee-6c54-4b01-90e6-d701748f0851", Metadata: []byte(`{"plan":"pro","seats":3}`)},
		{Email: "utf@b.co", Name: "山田 太郎", ExternalID: "c/2 ü"},
	}
	for _, r := range reqs {
		got, err := c.CreateCustomer(ctx, r)
		if err != nil {
			t.Fatalf("create %s: %v", r.Email, err)
		}
		if r.ExternalID != "" {
			again, err := c.GetCustomer(ctx, r.ExternalID)
			if err != nil || again.ID != got.ID {
				t.Fatalf("get %q: %v, id %v want %v", r.ExternalID, err, again, got.ID)
			}
		}
	}
	if len(violations) > 0 {
		t.Fatalf("requests outside the contract:\n%s", strings.Join(violations, "\n"))
	}

	// The checker must see a broken request: email as a number, and an
	// empty country_id, which is what sending "" for an absent field would do.
	for _, body := range []string{`{"email":5}`, `{"email":"a@b.co","country_id":""}`, `{"name":"no email"}`} {
		r := httptest.NewRequest("POST", "http://127.0.0.1/api/v1/public/customers", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+testKey)
		if chk.Request(r) == "" {
			t.Errorf("contract accepted %s", body)
		}
	}
}
