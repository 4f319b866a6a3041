package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client/internal/contract"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

// epoch is where the fake clocks start: a whole second, and a multiple of
// every window the tests use.
func epoch() time.Time { return time.Unix(1_800_000_000, 0) }

// step is one thing a rate-limit script does at a time on the fake clock:
// change the limit (when set is non-nil), or send a create with key.
type step struct {
	at     time.Duration
	key    string // "" is key a
	set    *[2]float64
	status int
	retry  string            // Retry-After wanted; "" wants none
	header map[string]string // headers wanted; a "" value wants the header absent
}

func times(n int, s step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func steps(groups ...[]step) []step {
	var out []step
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func ok(at time.Duration, key string) step { return step{at: at, key: key, status: 201} }

func limited(at time.Duration, key, retry string) step {
	return step{at: at, key: key, status: 429, retry: retry}
}

func setTo(at time.Duration, rate float64, burst int) step {
	return step{at: at, set: &[2]float64{rate, float64(burst)}}
}

// noRateHeaders wants no rate-limit header but Retry-After.
func noRateHeaders() map[string]string {
	return map[string]string{"X-RateLimit-Limit": "", "X-RateLimit-Remaining": "", "X-RateLimit-Reset": "", "RateLimit-Policy": "", "RateLimit": ""}
}

func withHeader(s step, h map[string]string) step {
	s.header = h
	return s
}

func unix(d time.Duration) string { return strconv.FormatInt(epoch().Add(d).Unix(), 10) }

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name  string
		cfg   sandbox.Config
		steps []step
	}{
		{"bucket per key, refilled at the rate", sandbox.Config{Rate: 2, Burst: 2}, steps(
			times(2, ok(0, "a")), []step{limited(0, "a", "1"), ok(0, "b"), ok(600*time.Millisecond, "a")})},
		{"headers are off by default", sandbox.Config{Rate: 1, Burst: 1}, []step{
			withHeader(ok(0, "a"), noRateHeaders()), withHeader(limited(0, "a", "1"), noRateHeaders())}},
		{"default burst is ten", sandbox.Config{Rate: 100}, steps(times(10, ok(0, "a")), []step{limited(0, "a", "1")})},
		{"default burst is a rate below ten", sandbox.Config{Rate: 3}, steps(times(3, ok(0, "a")), []step{limited(0, "a", "1")})},
		{"retry-after in whole seconds", sandbox.Config{Rate: 0.25, Burst: 1}, []step{
			ok(0, "a"), limited(0, "a", "4"), limited(3500*time.Millisecond, "a", "1"), ok(4*time.Second, "a")}},
		{"window: quota per window, aligned to the clock", sandbox.Config{Rate: 2, Window: 2 * time.Second}, steps(
			times(4, ok(500*time.Millisecond, "a")),
			[]step{limited(500*time.Millisecond, "a", "2"), ok(time.Second, "b"), limited(1999*time.Millisecond, "a", "1"), ok(2*time.Second, "a")})},
		{"window quota is at least one", sandbox.Config{Rate: 0.1, Window: time.Second}, []step{ok(0, "a"), limited(0, "a", "1"), ok(time.Second, "a")}},
		{"headers on a bucket", sandbox.Config{Rate: 2, Burst: 4, RateHeaders: true}, steps(
			[]step{withHeader(ok(0, "a"), map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "3", "X-RateLimit-Reset": unix(time.Second), "RateLimit-Policy": `"default";q=4;w=2`, "RateLimit": `"default";r=3;t=1`})},
			times(3, ok(0, "a")),
			[]step{withHeader(limited(250*time.Millisecond, "a", "1"), map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": unix(time.Second), "RateLimit": `"default";r=0;t=1`})})},
		{"headers on a bucket that fills within a second: the policy states the rate", sandbox.Config{Rate: 200, Burst: 10, RateHeaders: true}, []step{
			withHeader(ok(0, "a"), map[string]string{"X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "9", "RateLimit-Policy": `"default";q=200;w=1`, "RateLimit": `"default";r=9;t=1`})}},
		{"headers on a window", sandbox.Config{Rate: 2, Window: 2 * time.Second, RateHeaders: true}, steps(
			[]step{withHeader(ok(500*time.Millisecond, "a"), map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "3", "X-RateLimit-Reset": unix(2 * time.Second), "RateLimit-Policy": `"default";q=4;w=2`, "RateLimit": `"default";r=3;t=2`})},
			times(3, ok(time.Second, "a")),
			[]step{withHeader(limited(time.Second, "a", "1"), map[string]string{"X-RateLimit-Remaining": "0", "RateLimit": `"default";r=0;t=1`})})},
		{"no limit, no headers", sandbox.Config{RateHeaders: true}, []step{withHeader(ok(0, "a"), noRateHeaders())}},
		{"a lower limit applies to every key at once", sandbox.Config{Rate: 100}, steps(
			[]step{ok(0, "a"), ok(0, "b"), setTo(0, 1, 2)},
			times(2, ok(0, "a")), times(2, ok(0, "b")),
			[]step{limited(0, "a", "1"), limited(0, "b", "1"), ok(time.Second, "a")})},
		{"a new rate counts from the change on", sandbox.Config{Rate: 1, Burst: 2}, steps(
			times(2, ok(0, "a")),
			[]step{setTo(time.Second, 100, 2), ok(time.Second, "a"), limited(time.Second, "a", "1")})},
		{"a limit imposed and lifted", sandbox.Config{}, steps(
			times(12, ok(0, "a")),
			[]step{setTo(0, 1, 1), ok(0, "a"), limited(0, "a", "1"), setTo(0, 0, 0), ok(0, "a")})},
		{"a window's quota follows the rate at once", sandbox.Config{Rate: 2, Window: 2 * time.Second}, []step{
			ok(0, "a"), setTo(0, 1, 0), ok(0, "a"), limited(0, "a", "2")}},
	}
	chk, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: epoch()}
			tt.cfg.Now = clk.now
			emu := sandbox.New(tt.cfg)
			srv := start(t, emu)
			for i, s := range tt.steps {
				clk.set(epoch().Add(s.at))
				if s.set != nil {
					emu.SetLimit(s.set[0], int(s.set[1]))
					continue
				}
				key := "Bearer sk_test_" + map[bool]string{true: "a", false: s.key}[s.key == ""]
				resp, _, body := send(t, srv, chk, call{method: "POST", path: base + "/customers", key: key, body: `{"email":"r@b.co"}`})
				if resp.StatusCode != s.status || resp.Header.Get("Retry-After") != s.retry {
					t.Fatalf("step %d (%s at %v): %d Retry-After %q, want %d %q: %s", i, s.key, s.at, resp.StatusCode, resp.Header.Get("Retry-After"), s.status, s.retry, body)
				}
				for h, want := range s.header {
					if got := resp.Header.Get(h); got != want {
						t.Errorf("step %d: %s %q, want %q", i, h, got, want)
					}
				}
			}
		})
	}
}

// TestMiddlewareOrder: the key is checked before the limit, and the limit
// before the application's own failures, so a failed request still spends
// a token and a refused one is never a 5xx.
func TestMiddlewareOrder(t *testing.T) {
	emu := sandbox.New(sandbox.Config{Rate: 1, Burst: 1, FailRate: 1, Now: epoch})
	srv := start(t, emu)
	get := func(key string) int {
		resp, _, _ := send(t, srv, nil, call{method: "GET", path: base + "/customers/x", key: key})
		return resp.StatusCode
	}
	if got := get("Bearer sk_test_a"); got < 500 {
		t.Errorf("first request %d, want an injected 5xx", got)
	}
	if got := get("Bearer sk_test_a"); got != 429 {
		t.Errorf("second request %d, want 429: the failed one spent the token", got)
	}
	if got := get("Bearer nope"); got != 401 {
		t.Errorf("bad key %d, want 401", got)
	}
}

// TestLimitEndpoint changes the limit of a running emulator as a person or
// script would, through LimitPath.
func TestLimitEndpoint(t *testing.T) {
	emu := sandbox.New(sandbox.Config{Window: time.Minute, Now: epoch})
	srv := start(t, emu)
	admin := func(method, query string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+sandbox.LimitPath+query, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	create := func() int {
		resp, _, _ := send(t, srv, nil, call{method: "POST", path: base + "/customers", key: "Bearer sk_test_a", body: `{"email":"l@b.co"}`})
		return resp.StatusCode
	}
	tests := []struct {
		name, method, query string
		wantStatus          int
		wantBody            string // "" skips the check
		wantCreates         []int
	}{
		{"read", "GET", "", 200, `{"rate":0,"burst":1,"window":"1m0s"}`, []int{201, 201}},
		{"set", "POST", "?rate=0.05&burst=3", 200, `{"rate":0.05,"burst":3,"window":"1m0s"}`, []int{201, 201, 201, 429}},
		{"lift", "POST", "?rate=0", 200, `{"rate":0,"burst":1,"window":"1m0s"}`, []int{201}},
		{"rate missing", "POST", "", 400, "", nil},
		{"rate negative", "POST", "?rate=-1", 400, "", nil},
		{"burst not a number", "POST", "?rate=1&burst=x", 400, "", nil},
		{"other method", "DELETE", "", 405, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := admin(tt.method, tt.query)
			if status != tt.wantStatus || (tt.wantBody != "" && body != tt.wantBody) {
				t.Fatalf("%d %s, want %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
			for i, want := range tt.wantCreates {
				if got := create(); got != want {
					t.Errorf("create %d: %d, want %d", i, got, want)
				}
			}
		})
	}
	if st := emu.Stats(); st.Requests != 7 {
		t.Errorf("stats count %d requests, want the 7 API requests only", st.Requests)
	}
	var v map[string]any
	if _, body := admin("GET", ""); json.Unmarshal([]byte(body), &v) != nil {
		t.Errorf("limit is not JSON: %s", body)
	}
}
