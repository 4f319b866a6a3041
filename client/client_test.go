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
	"sync/atomic"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/internal/contract"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

const testKey = "sk_test_51SecretValue"

// TestBaseURLOneSpelling: one API, one base URL, however it is typed.
func TestBaseURLOneSpelling(t *testing.T) {
	for _, raw := range []string{"https://api.prolifi.co/api/v1/public", "HTTPS://API.Prolifi.co/api/v1/public/", "https://api.prolifi.co:443/api/v1/public",
		"https://api.prolifi.co./api/v1/public", "https://api.prolifi.co//api//v1/public//"} {
		got, err := client.CheckBaseURL(raw)
		if err != nil || got != "https://api.prolifi.co/api/v1/public" {
			t.Errorf("%s: %q, %v", raw, got, err)
		}
	}
	if got, _ := client.CheckBaseURL("http://[::1]:8080/api"); got != "http://[::1]:8080/api" {
		t.Errorf("ipv6: %q", got)
	}
}

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
		{"https://api.prolifi.co", "sk_test_ab\x01cd", true, false},
		{"https://api.prolifi.co", "sk_test_ab\x7fcd", true, false},
		{"https://api.prolifi.co", "sk_test_abé", true, false},
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
	}{
		{"spec shape 422", answer{422, nil, `{"error":{"type":"validation_error","message":"The given data was invalid.","errors":[{"field":"email","message":"is required"},{"field":"country_id","message":"must be a UUID"}]}}`}, "validation_error", "The given data was invalid.", 2, "", 0},
		{"429 seconds", answer{429, map[string]string{"Retry-After": "7"}, `{"error":{"type":"rate_limit_error","message":"slow down"}}`}, "rate_limit_error", "slow down", 0, "", 7 * time.Second},
		{"429 http date", answer{429, map[string]string{"Retry-After": "Fri, 27 Nov 2026 12:00:30 GMT"}, `{"error":{"type":"rate_limit_error","message":"slow down"}}`}, "rate_limit_error", "slow down", 0, "", 30 * time.Second},
		{"429 date in the past", answer{429, map[string]string{"Retry-After": "Fri, 27 Nov 2026 11:00:00 GMT"}, `{"error":{"type":"rate_limit_error","message":"x"}}`}, "rate_limit_error", "x", 0, "", 0},
		{"html from a proxy", answer{502, map[string]string{"Content-Type": "text/html"}, "<html><body>Bad Gateway</body></html>\n"}, "", "Bad Gateway", 0, "<html><body>Bad Gateway</body></html>", 0},
		{"empty 502", answer{502, nil, ""}, "", "Bad Gateway", 0, "", 0},
		{"huge html trimmed", answer{500, nil, strings.Repeat("é", 5000)}, "", "Internal Server Error", 0, strings.Repeat("é", 256) + "…", 0},
		{"409 conflict", answer{409, nil, `{"error":{"type":"conflict","message":"taken"}}`}, "conflict", "taken", 0, "", 0},
		{"401 echoes key", answer{401, nil, `{"error":{"type":"authentication_error","message":"key ` + testKey + ` is revoked"}}`}, "authentication_error", "key [redacted] is revoked", 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, tt.answer)
			_, resp, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err %T %v, want *APIError", err, err)
			}
			if ae.Status != tt.answer.status || ae.Type != tt.wantType || ae.Message != tt.wantMsg || len(ae.FieldErrors) != tt.wantFields || ae.Body != tt.wantBody || ae.RetryAfter != tt.wantRetry {
				t.Errorf("got %+v", ae)
			}
			if resp == nil || resp.Status != tt.answer.status || resp.RetryAfter != tt.wantRetry {
				t.Errorf("response %+v", resp)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

// TestRateLimitHeaders reads the server's own account of its limit from any
// answer, in each of the header families servers use.
func TestRateLimitHeaders(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		header map[string]string
		want   client.RateLimit
	}{
		{"none", 201, nil, client.RateLimit{Remaining: -1}},
		{"x trio, epoch reset", 201, map[string]string{"X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "17", "X-RateLimit-Reset": "1795780805"},
			client.RateLimit{Limit: 200, Remaining: 17, Reset: now.Add(5 * time.Second)}},
		{"x trio, delay reset", 429, map[string]string{"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"},
			client.RateLimit{Limit: 60, Remaining: 0, Reset: now.Add(3 * time.Second)}},
		{"ietf structured", 201, map[string]string{"RateLimit-Policy": `"default";q=100;w=60`, "RateLimit": `"default";r=42;t=30`},
			client.RateLimit{Limit: 100, Window: time.Minute, Remaining: 42, Reset: now.Add(30 * time.Second)}},
		{"ietf older draft", 201, map[string]string{"RateLimit-Limit": "10", "RateLimit-Remaining": "4", "RateLimit-Reset": "2", "RateLimit-Policy": "10;w=1"},
			client.RateLimit{Limit: 10, Window: time.Second, Remaining: 4, Reset: now.Add(2 * time.Second)}},
		{"garbled remaining is unknown", 201, map[string]string{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "lots"},
			client.RateLimit{Limit: 5, Remaining: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"data":{"id":"c1","email":"a@b.co","status":"active"}}`
			if tt.status >= 400 {
				body = `{"error":{"type":"rate_limit_error","message":"x"}}`
			}
			c := serve(t, answer{tt.status, tt.header, body})
			_, resp, _ := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
			if resp == nil {
				t.Fatal("no response")
			}
			got := resp.RateLimit
			if got.Limit != tt.want.Limit || got.Window != tt.want.Window || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.Known() != (tt.header != nil) {
				t.Errorf("Known() = %v", got.Known())
			}
		})
	}
}

// TestAnswersOnSuccess: the status that came back is reported as it is, and
// a 2xx whose body names no customer is a DecodeError, not a transport error.
func TestAnswersOnSuccess(t *testing.T) {
	tests := []struct {
		name       string
		answer     answer
		wantID     string
		wantDecode bool
	}{
		{"201", answer{201, nil, `{"data":{"id":"c1","email":"a@b.co","status":"active"}}`}, "c1", false},
		{"200 is reported as 200", answer{200, nil, `{"data":{"id":"c2","email":"a@b.co","status":"active"}}`}, "c2", false},
		{"empty body", answer{201, nil, ""}, "", true},
		{"not json", answer{201, nil, "<html>ok</html>"}, "", true},
		{"no id", answer{201, nil, `{"data":{"email":"a@b.co"}}`}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, tt.answer)
			got, resp, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
			if resp == nil || resp.Status != tt.answer.status {
				t.Fatalf("response %+v, want status %d", resp, tt.answer.status)
			}
			var de *client.DecodeError
			if errors.As(err, &de) != tt.wantDecode {
				t.Fatalf("err %v, want a DecodeError: %v", err, tt.wantDecode)
			}
			if !tt.wantDecode && (err != nil || got.ID != tt.wantID) {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}

// TestRedirectsNotFollowed: whatever the 3xx, nothing reaches the Location,
// not even through an http.Client that would follow it, and the answer names
// the status and the Location's host.
func TestRedirectsNotFollowed(t *testing.T) {
	var elsewhere sync.Map
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Store(r.Method+" "+r.Header.Get("Authorization"), true)
		w.WriteHeader(200)
		io.WriteString(w, `{"data":{"id":"invented","email":"a@b.co"}}`)
	}))
	defer other.Close()
	follows := &http.Client{} // its default policy follows up to 10 redirects
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/api/v1/public/customers", status)
			}))
			defer srv.Close()
			c, err := client.New(srv.URL+"/api/v1/public", testKey, client.WithHTTPClient(follows))
			if err != nil {
				t.Fatal(err)
			}
			_, resp, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Status != status || resp.Status != status {
				t.Fatalf("err %v resp %+v, want an APIError with status %d", err, resp, status)
			}
			if want := strings.TrimPrefix(other.URL, "http://"); ae.Location != want || !strings.Contains(err.Error(), want) {
				t.Errorf("location %q in %q, want %q", ae.Location, err, want)
			}
		})
	}
	elsewhere.Range(func(k, _ any) bool { t.Errorf("the redirect target got %v", k); return true })
	if follows.CheckRedirect != nil {
		t.Error("the caller's http.Client was changed")
	}
}

// TestTransportFacts: a certificate that cannot be verified and a host that
// does not resolve are told apart from a busy server.
func TestTransportFacts(t *testing.T) {
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer srv.Close()
		c, _ := client.New(srv.URL+"/api", testKey)
		_, _, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		var te *client.TransportError
		if !errors.As(err, &te) || !te.Certificate() || te.Sent {
			t.Fatalf("err %v, want a certificate error before sending", err)
		}
	})
	t.Run("https to a plain http server", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer srv.Close()
		c, _ := client.New(strings.Replace(srv.URL, "http://", "https://", 1)+"/api", testKey)
		_, _, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		var te *client.TransportError
		if !errors.As(err, &te) || !te.Certificate() {
			t.Fatalf("err %v, want a TLS error", err)
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		tr := client.NewTransport(2)
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}
		}
		c, _ := client.New("https://api.example.invalid/api", testKey, client.WithHTTPClient(&http.Client{Transport: tr}))
		_, _, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		var te *client.TransportError
		if !errors.As(err, &te) || !te.UnknownHost() || te.Certificate() {
			t.Fatalf("err %v, want an unknown host", err)
		}
	})
}

func TestTransportClassification(t *testing.T) {
	t.Run("refused before sending", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, _ := client.New("http://"+addr+"/api", testKey)
		_, _, err = c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		var te *client.TransportError
		if !errors.As(err, &te) || te.Sent || !te.Refused() {
			t.Fatalf("err %v, want refused before sending", err)
		}
	})
	t.Run("dropped after sending", func(t *testing.T) {
		emu := sandbox.New(sandbox.Config{LostRate: 1})
		api, err := sandbox.Start("", emu)
		if err != nil {
			t.Fatal(err)
		}
		defer api.Close()
		c, _ := client.New(api.BaseURL, testKey)
		_, _, err = c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "e1"})
		var te *client.TransportError
		if !errors.As(err, &te) || !te.Sent {
			t.Fatalf("err %v, want a transport error after sending", err)
		}
		if emu.Stats().Created != 1 {
			t.Error("the emulator did not create the customer")
		}
	})
	t.Run("timeout after sending", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-release
		}))
		defer srv.Close()
		defer close(release)
		c, _ := client.New(srv.URL+"/api", testKey, client.WithTimeout(50*time.Millisecond))
		_, _, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		var te *client.TransportError
		if !errors.As(err, &te) || !te.Sent {
			t.Fatalf("err %v, want a transport error after sending", err)
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
	api, err := sandbox.Start("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := chk.Request(r); msg != "" {
			mu.Lock()
			violations = append(violations, r.Method+" "+r.URL.Path+": "+msg)
			mu.Unlock()
		}
		emu.ServeHTTP(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	c, err := client.New(api.BaseURL, testKey)
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
		got, _, err := c.CreateCustomer(ctx, r)
		if err != nil {
			t.Fatalf("create %s: %v", r.Email, err)
		}
		if r.ExternalID != "" {
			again, _, err := c.GetCustomer(ctx, r.ExternalID)
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

// TestRetryAfterExtremes: a wait too long for a time.Duration is Forever,
// never a number that wrapped around to a short wait; garbage is no wait.
func TestRetryAfterExtremes(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{
		{"99999", 99999 * time.Second},
		{"1e10", client.Forever},
		{"9300000000", client.Forever},
		{"inf", client.Forever},
		{"Infinity", client.Forever},
		{"0x1p40", 0},
		{"-5", 0},
		{"soon", 0},
		{"NaN", 0},
	} {
		c := serve(t, answer{429, map[string]string{"Retry-After": tt.header}, `{"error":{"type":"rate_limit_error","message":"x"}}`})
		_, resp, _ := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		if resp.RetryAfter != tt.want {
			t.Errorf("Retry-After %q: %v, want %v", tt.header, resp.RetryAfter, tt.want)
		}
	}
}

// TestKeyNeverComesBack: whatever field a server echoes the key in, it is
// redacted before anything is kept, even where a body is cut short.
func TestKeyNeverComesBack(t *testing.T) {
	pad := strings.Repeat("x", 500)
	for _, a := range []answer{
		{422, nil, `{"error":{"type":"` + testKey + `","message":"m","errors":[{"field":"` + testKey + `","message":"` + testKey + `"}]}}`},
		{400, nil, pad + testKey},
		{307, map[string]string{"Location": "https://" + testKey + ".evil.example/x"}, ""},
		{201, nil, `{"data":{"id":"` + testKey + `","email":"` + testKey + `@x.example","name":"` + testKey + `"}}`},
	} {
		c := serve(t, a)
		cu, _, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
		seen := fmt.Sprintf("%v %+v", err, cu)
		var ae *client.APIError
		if errors.As(err, &ae) {
			seen += fmt.Sprintf(" %+v", *ae)
		}
		if cu != nil {
			seen += fmt.Sprintf(" %s %s %s", cu.ID, cu.Email, *cu.Name)
		}
		if strings.Contains(seen, testKey) || strings.Contains(seen, testKey[:12]) {
			t.Errorf("%d: the key came back: %s", a.status, seen)
		}
	}
}

// TestWroteAfterTheDial: an answer says when its request was written, after
// the wait for a new connection: the rate search reads that as when the
// server received it, and a run's first requests all wait for one. The
// dial moves the client's clock on by a minute.
func TestWroteAfterTheDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		io.WriteString(w, `{"data":{"id":"c1","email":"a@b.co","status":"active"}}`)
	}))
	defer srv.Close()
	start := time.Unix(1_800_000_000, 0)
	var clock atomic.Int64
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		clock.Add(int64(time.Minute))
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c, err := client.New(srv.URL+"/api/v1/public", testKey, client.WithHTTPClient(&http.Client{Transport: tr}), client.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.CreateCustomer(context.Background(), client.CreateCustomerRequest{Email: "a@b.co"})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(time.Minute); !resp.Wrote.Equal(want) {
		t.Errorf("written at %v, want %v: after the dial", resp.Wrote, want)
	}
}
