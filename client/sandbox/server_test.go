package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/internal/contract"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

const base = "/api/v1/public"

type call struct {
	method, path, key, ctype, body string
}

// start serves h for the test's lifetime.
func start(t *testing.T, h http.Handler) *sandbox.Running {
	t.Helper()
	run, err := sandbox.Start("", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(run.Close)
	return run
}

// clock is a fake clock for the emulator's Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func send(t *testing.T, srv *sandbox.Running, chk *contract.Checker, c call) (*http.Response, client.ErrorBody, []byte) {
	t.Helper()
	if c.ctype == "" && c.method == http.MethodPost {
		c.ctype = "application/json"
	}
	req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", c.key)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if chk != nil && strings.Contains(c.path, "/customers") {
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		cr, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		cr.Header = req.Header
		if msg := chk.Response(cr, resp); msg != "" {
			t.Errorf("answer %d to %s %s breaks the contract: %s\n%s", resp.StatusCode, c.method, c.path, msg, body)
		}
	}
	var eb client.ErrorBody
	_ = json.Unmarshal(body, &eb)
	return resp, eb, body
}

func fields(fe []client.FieldError) string {
	var f []string
	for _, e := range fe {
		f = append(f, e.Field)
	}
	return strings.Join(f, ",")
}

func TestServerRules(t *testing.T) {
	chk, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	const sk = "Bearer sk_test_abc"
	long := strings.Repeat("x", 256)
	tests := []struct {
		name       string
		call       call
		wantStatus int
		wantType   string
		wantFields string // comma-separated field names in the 422, in order
	}{
		{"no auth", call{method: "POST", path: base + "/customers", body: `{"email":"a@b.co"}`}, 401, client.TypeAuthentication, ""},
		{"basic scheme", call{method: "POST", path: base + "/customers", key: "Basic abc", body: `{"email":"a@b.co"}`}, 401, client.TypeAuthentication, ""},
		{"malformed key", call{method: "POST", path: base + "/customers", key: "Bearer sk_prod_1", body: `{"email":"a@b.co"}`}, 401, client.TypeAuthentication, ""},
		{"empty key body", call{method: "POST", path: base + "/customers", key: "Bearer sk_test_", body: `{"email":"a@b.co"}`}, 401, client.TypeAuthentication, ""},
		{"public key cannot write", call{method: "POST", path: base + "/customers", key: "Bearer pk_test_abc", body: `{"email":"a@b.co"}`}, 403, client.TypePermission, ""},
		{"public live key cannot write", call{method: "POST", path: base + "/customers", key: "Bearer pk_live_abc", body: `{"email":"a@b.co"}`}, 403, client.TypePermission, ""},
		{"live secret key writes", call{method: "POST", path: base + "/customers", key: "Bearer sk_live_abc", body: `{"email":"live@b.co"}`}, 201, "", ""},
		{"public key reads", call{method: "GET", path: base + "/customers/nobody", key: "Bearer pk_test_abc"}, 404, client.TypeNotFound, ""},
		{"any prefix", call{method: "POST", path: "/other/prefix/customers", key: sk, body: `{"email":"p@b.co"}`}, 201, "", ""},
		{"minimal", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"m@b.co"}`}, 201, "", ""},
		{"all fields", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"f@b.co","name":"Jane Smith","company_name":"Acme","external_id":"all-1","phone":"+2348012345678","country_id":"d290f1ee-6c54-4b01-90e6-d701748f0851","metadata":{"plan":"pro"}}`}, 201, "", ""},
		{"nulls", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"n@b.co","name":null,"phone":null,"metadata":null}`}, 201, "", ""},
		{"missing email", call{method: "POST", path: base + "/customers", key: sk, body: `{"name":"x"}`}, 422, client.TypeValidation, "email"},
		{"blank email", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"   "}`}, 422, client.TypeValidation, "email"},
		{"bad email", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"not-an-email"}`}, 422, client.TypeValidation, "email"},
		{"every failing field", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"x","name":"` + long + `","country_id":"nope","phone":12,"metadata":[1]}`}, 422, client.TypeValidation, "phone,metadata,email,name,country_id"},
		{"email not a string", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":5}`}, 422, client.TypeValidation, "email"},
		{"invalid utf8", call{method: "POST", path: base + "/customers", key: sk, body: "{\"email\":\"u@b.co\",\"last_name\":\"M\xfcller\"}"}, 422, client.TypeValidation, "last_name"},
		{"metadata string", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"md@b.co","metadata":"{}"}`}, 422, client.TypeValidation, "metadata"},
		{"malformed json", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":`}, 400, client.TypeInvalidRequest, ""},
		{"array body", call{method: "POST", path: base + "/customers", key: sk, body: `[{"email":"a@b.co"}]`}, 400, client.TypeInvalidRequest, ""},
		{"wrong content type", call{method: "POST", path: base + "/customers", key: sk, ctype: "text/plain", body: `{"email":"a@b.co"}`}, 400, client.TypeInvalidRequest, ""},
		{"oversized body", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"a@b.co","name":"` + strings.Repeat("y", 70<<10) + `"}`}, 413, client.TypeInvalidRequest, ""},
		{"taken external id", call{method: "POST", path: base + "/customers", key: sk, body: `{"email":"other@b.co","external_id":"seed-1"}`}, 409, client.TypeConflict, ""},
		{"get existing", call{method: "GET", path: base + "/customers/seed-1", key: sk}, 200, "", ""},
		{"get escaped id", call{method: "GET", path: base + "/customers/a%2Fb%20c", key: sk}, 200, "", ""},
		{"get missing", call{method: "GET", path: base + "/customers/none", key: sk}, 404, client.TypeNotFound, ""},
		{"unknown route", call{method: "GET", path: base + "/invoices", key: sk}, 404, client.TypeNotFound, ""},
		{"wrong method", call{method: "DELETE", path: base + "/customers", key: sk}, 405, client.TypeInvalidRequest, ""},
	}
	emu := sandbox.New(sandbox.Config{})
	emu.Preload(client.CreateCustomerRequest{Email: "seed@b.co", ExternalID: "seed-1"}, client.CreateCustomerRequest{Email: "slash@b.co", ExternalID: "a/b c"})
	srv := start(t, emu)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := chk
			if tt.wantStatus == 405 || !strings.HasPrefix(tt.call.path, base+"/customers") {
				c = nil // not operations of the contract
			}
			resp, eb, body := send(t, srv, c, tt.call)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if eb.Error.Type != tt.wantType {
				t.Errorf("type %q, want %q", eb.Error.Type, tt.wantType)
			}
			if got := fields(eb.Error.Errors); got != tt.wantFields {
				t.Errorf("fields %q, want %q", got, tt.wantFields)
			}
		})
	}
}

func TestServerCreatesCustomer(t *testing.T) {
	emu := sandbox.New(sandbox.Config{})
	srv := start(t, emu)
	tests := []struct {
		name, body                  string
		first, last, full, typ, ctr string
	}{
		{"name split at first space", `{"email":"a@b.co","name":"Ana María López","external_id":"s1"}`, "Ana", "María López", "Ana María López", "individual", ""},
		{"single word name", `{"email":"a@b.co","name":"Madonna","external_id":"s2"}`, "Madonna", "", "Madonna", "individual", ""},
		{"explicit parts win", `{"email":"a@b.co","name":"X Y","first_name":"Jane","last_name":"Smith","external_id":"s3"}`, "Jane", "Smith", "Jane Smith", "individual", ""},
		{"company makes business", `{"email":"a@b.co","company_name":"Acme","external_id":"s4","country_id":"d290f1ee-6c54-4b01-90e6-d701748f0851"}`, "", "", "", "business", "United States"},
		{"values trimmed", `{"email":"  a@b.co ","first_name":" Jo ","external_id":" s5 "}`, "Jo", "", "Jo", "individual", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _, body := send(t, srv, nil, call{method: "POST", path: base + "/customers", key: "Bearer sk_test_x", body: tt.body})
			if resp.StatusCode != 201 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var env client.CustomerEnvelope
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			c := env.Data
			str := func(p *string) string {
				if p == nil {
					return ""
				}
				return *p
			}
			if str(c.FirstName) != tt.first || str(c.LastName) != tt.last || str(c.Name) != tt.full || c.Type != tt.typ || str(c.Country) != tt.ctr {
				t.Errorf("got first %q last %q name %q type %q country %q", str(c.FirstName), str(c.LastName), str(c.Name), c.Type, str(c.Country))
			}
			if c.Status != "active" || c.ID == "" || c.CreatedAt.IsZero() || c.Email != "a@b.co" {
				t.Errorf("status %q id %q created %v email %q", c.Status, c.ID, c.CreatedAt, c.Email)
			}
			stored, ok := emu.Customer(str(c.ExternalID))
			if !ok || stored.ID != c.ID {
				t.Errorf("stored %v %v, want id %s", stored.ID, ok, c.ID)
			}
		})
	}
	if st := emu.Stats(); st.Created != len(tests) || st.DuplicateEmails != len(tests)-1 || st.ByStatus[201] != len(tests) {
		t.Errorf("stats %+v", st)
	}
}

func TestServerFaults(t *testing.T) {
	tests := []struct {
		name          string
		cfg           sandbox.Config
		wantDropped   bool
		wantStatusOK  func(int) bool
		wantCreated   int
		wantCounterOK func(sandbox.Stats) bool
	}{
		{"reset drops before acting", sandbox.Config{ResetRate: 1}, true, nil, 0, func(s sandbox.Stats) bool { return s.Resets == 1 }},
		{"5xx does nothing", sandbox.Config{FailRate: 1}, false, func(c int) bool { return c >= 500 }, 0, func(s sandbox.Stats) bool { return s.Failures == 1 }},
		{"lost answer still creates", sandbox.Config{LostRate: 1}, true, nil, 1, func(s sandbox.Stats) bool { return s.Lost == 1 }},
		{"latency then answer", sandbox.Config{Latency: time.Millisecond}, false, func(c int) bool { return c == 201 }, 1, func(s sandbox.Stats) bool { return s.ByStatus[201] == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := sandbox.New(tt.cfg)
			srv := start(t, emu)
			req, _ := http.NewRequest("POST", srv.URL+base+"/customers", strings.NewReader(`{"email":"f@b.co","external_id":"f1"}`))
			req.Header.Set("Authorization", "Bearer sk_test_x")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if tt.wantDropped {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got an answer %d, want a dropped connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if !tt.wantStatusOK(resp.StatusCode) {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
			st := emu.Stats()
			if st.Created != tt.wantCreated || !tt.wantCounterOK(st) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	run := func() []int {
		emu := sandbox.New(sandbox.Config{FailRate: 0.5, Seed: 42})
		srv := start(t, emu)
		var codes []int
		for range 20 {
			resp, _, _ := send(t, srv, nil, call{method: "GET", path: base + "/customers/x", key: "Bearer sk_test_x"})
			codes = append(codes, resp.StatusCode)
		}
		return codes
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatal("different lengths")
	}
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run 1 %v, run 2 %v", a, b)
		}
		if a[i] >= 500 {
			fails++
		}
	}
	if fails == 0 || fails == len(a) {
		t.Errorf("a 0.5 fail rate failed %d of %d", fails, len(a))
	}
}

func TestMaxInWindow(t *testing.T) {
	t0 := time.Unix(0, 0)
	clk := &clock{t: t0}
	emu := sandbox.New(sandbox.Config{Trace: true, Now: clk.now})
	srv := start(t, emu)
	for _, at := range []time.Duration{0, 100, 900, 1000, 1500, 1999, 2500} {
		clk.set(t0.Add(at * time.Millisecond))
		send(t, srv, nil, call{method: "GET", path: base + "/customers/x", key: "Bearer sk_test_x"})
	}
	if got := emu.MaxInWindow(time.Second); got != 3 {
		t.Errorf("max in a second %d, want 3", got)
	}
}
