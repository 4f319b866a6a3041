package importer

import (
	"errors"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// answer is one scripted call: whether the row must be looking up, and what
// came back.
type answer struct {
	lookup bool
	status int // 0: no HTTP answer
	err    error
	email  string // the customer's email in a 2xx
}

func (a answer) outcome() outcome {
	o := outcome{lookup: a.lookup, err: a.err}
	if a.status != 0 {
		o.resp = &client.Response{Status: a.status}
	}
	if a.status >= 200 && a.status < 300 && a.err == nil {
		o.customer = &client.Customer{ID: "cust-1", Email: a.email}
	}
	return o
}

func apiErr(status int) error { return &client.APIError{Status: status, Type: "x", Message: "m"} }

func TestRowAttempt(t *testing.T) {
	sentNoAnswer := &client.TransportError{Method: "POST", Path: "/customers", Sent: true, Err: errors.New("reset")}
	unreadable := &client.DecodeError{Status: 201, Err: errors.New("EOF")}
	tests := []struct {
		name      string
		job       job
		retries   int
		script    []answer
		last      stepKind
		status    Status
		errorType string
		http      int
		id        string
	}{
		{"201", job{}, 3, []answer{{status: 201}}, stepDone, StatusCreated, "", 201, "cust-1"},
		{"200 recorded as 200", job{}, 3, []answer{{status: 200}}, stepDone, StatusCreated, "", 200, "cust-1"},
		{"409 then look-up: exists", job{}, 3, []answer{{status: 409, err: apiErr(409)}, {lookup: true, status: 200, email: "a@b.co"}}, stepDone, StatusExists, "", 409, "cust-1"},
		{"lost answer then 409: we created it", job{}, 3, []answer{{err: sentNoAnswer}, {status: 409, err: apiErr(409)}, {lookup: true, status: 200, email: "a@b.co"}}, stepDone, StatusCreated, "", 409, "cust-1"},
		{"maybe sent by an earlier run, then 409", job{maybeSent: true}, 3, []answer{{status: 409, err: apiErr(409)}, {lookup: true, status: 200, email: "a@b.co"}}, stepDone, StatusCreated, "", 409, "cust-1"},
		{"2xx unreadable: look it up", job{}, 3, []answer{{status: 201, err: unreadable}, {lookup: true, status: 200, email: "a@b.co"}}, stepDone, StatusCreated, "", 201, "cust-1"},
		{"503 until the retries run out", job{}, 2, []answer{{status: 503, err: apiErr(503)}, {status: 503, err: apiErr(503)}, {status: 503, err: apiErr(503)}}, stepDone, StatusFailed, "x", 503, ""},
		{"max retries 0: one attempt", job{}, 0, []answer{{status: 503, err: apiErr(503)}}, stepDone, StatusFailed, "x", 503, ""},
		{"503 then 201", job{}, 2, []answer{{status: 503, err: apiErr(503)}, {status: 201}}, stepDone, StatusCreated, "", 201, "cust-1"},
		{"recheck finds it", job{recheck: true}, 3, []answer{{lookup: true, status: 200, email: "a@b.co"}}, stepDone, StatusExists, "", 200, "cust-1"},
		{"recheck finds nothing: create", job{recheck: true}, 3, []answer{{lookup: true, status: 404, err: apiErr(404)}, {status: 201}}, stepDone, StatusCreated, "", 201, "cust-1"},
		{"422", job{}, 3, []answer{{status: 422, err: &client.APIError{Status: 422, Type: client.TypeValidation, FieldErrors: []client.FieldError{{Field: "email", Message: "no"}}}}}, stepDone, StatusInvalid, client.TypeValidation, 422, ""},
		{"307 is never followed", job{}, 3, []answer{{status: 307, err: &client.APIError{Status: 307, Location: "x.example"}}}, stepDone, StatusFailed, ErrorTypeRedirect, 307, ""},
		{"401 leaves the row", job{}, 3, []answer{{status: 401, err: apiErr(401)}}, stepLeave, "", "", 401, ""},
		{"409 then a look-up 404: failed, not a loop", job{}, 3, []answer{{status: 409, err: apiErr(409)}, {lookup: true, status: 404, err: apiErr(404)}},
			stepDone, StatusFailed, "inconsistent_answers", 409, ""},
		{"recheck 404, create 409, look-up 404: failed", job{recheck: true}, 3, []answer{{lookup: true, status: 404, err: apiErr(404)},
			{status: 409, err: apiErr(409)}, {lookup: true, status: 404, err: apiErr(404)}}, stepDone, StatusFailed, "inconsistent_answers", 409, ""},
		{"2xx unreadable, look-up unreadable too: still created", job{}, 3, []answer{{status: 201, err: unreadable},
			{lookup: true, status: 200, err: &client.DecodeError{Status: 200, Err: errors.New("EOF")}}}, stepDone, StatusCreated, ErrorTypeUnreadable, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.job.row = Row{Line: 2, Request: client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "e-1"}}
			a := newRowAttempt(tt.job, Config{MaxRetries: tt.retries, BackoffInitial: time.Millisecond, BackoffMax: time.Millisecond})
			var st step
			for i, ans := range tt.script {
				if a.lookup != ans.lookup {
					t.Fatalf("call %d: lookup %v, want %v", i+1, a.lookup, ans.lookup)
				}
				o := ans.outcome()
				st = a.next(o, decide(o, a.hasExt, time.Minute, time.Now()))
				if i < len(tt.script)-1 && (st.kind == stepDone || st.kind == stepLeave) {
					t.Fatalf("call %d ended the row early: %+v", i+1, a.res)
				}
			}
			r := a.res
			if st.kind != tt.last || r.Status != tt.status || r.ErrorType != tt.errorType || r.HTTPStatus != tt.http || r.CustomerID != tt.id {
				t.Errorf("step %d, result %+v", st.kind, r)
			}
			if r.Attempts != len(tt.script) || !r.Sent {
				t.Errorf("attempts %d (sent %v), want %d", r.Attempts, r.Sent, len(tt.script))
			}
		})
	}
}

// TestRowAttemptNoExternalID: without an external_id a lost answer is never
// sent again, and a 2xx whose id cannot be read is still created.
func TestRowAttemptNoExternalID(t *testing.T) {
	row := Row{Line: 3, Request: client.CreateCustomerRequest{Email: "x@b.co"}}
	a := newRowAttempt(job{row: row}, Config{MaxRetries: 5})
	o := outcome{err: &client.TransportError{Sent: true, Err: errors.New("reset")}}
	if st := a.next(o, decide(o, false, 0, time.Now())); st.kind != stepDone || a.res.ErrorType != ErrorTypeOutcomeUnknown || !contains(a.res.Message, "x@b.co", "ledger found x@b.co", "ledger missing x@b.co") {
		t.Errorf("lost answer: step %d, %+v", st.kind, a.res)
	}
	b := newRowAttempt(job{row: row}, Config{MaxRetries: 5})
	o = outcome{resp: &client.Response{Status: 201}, err: &client.DecodeError{Status: 201, Err: errors.New("EOF")}}
	if st := b.next(o, decide(o, false, 0, time.Now())); st.kind != stepDone || b.res.Status != StatusCreated || b.res.CustomerID != "" || !contains(b.res.Message, "created") {
		t.Errorf("unreadable 201: step %d, %+v", st.kind, b.res)
	}
}

// TestRowAttemptOtherEmail: a look-up that finds the external_id under
// another email says so.
func TestRowAttemptOtherEmail(t *testing.T) {
	a := newRowAttempt(job{row: Row{Request: client.CreateCustomerRequest{Email: "new@b.co", ExternalID: "e"}}}, Config{})
	o := outcome{resp: &client.Response{Status: 409}, err: apiErr(409)}
	a.next(o, decide(o, true, 0, time.Now()))
	o = answer{lookup: true, status: 200, email: "old@b.co"}.outcome()
	a.next(o, decide(o, true, 0, time.Now()))
	if a.res.Status != StatusExists || !contains(a.res.Message, "Prolifi has old@b.co") {
		t.Errorf("got %+v", a.res)
	}
}

// TestRowAttemptThrottledWaitsItsRetryAfter: a refused request waits the
// server's whole Retry-After itself, even when the search lets the other
// sends go on sooner (rateSearch.cutPause); one without a Retry-After
// waits a second.
func TestRowAttemptThrottledWaitsItsRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		retryAfter, want time.Duration
	}{{2 * time.Second, 2 * time.Second}, {0, time.Second}} {
		a := newRowAttempt(job{row: Row{Request: client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "e"}}}, Config{MaxRetries: 3})
		o := outcome{resp: &client.Response{Status: 429}, err: &client.APIError{Status: 429, Type: client.TypeRateLimit, RetryAfter: tt.retryAfter}}
		if st := a.next(o, decide(o, true, time.Minute, time.Now())); st.kind != stepWait || st.wait != tt.want {
			t.Errorf("Retry-After %v: step %d, wait %v; want a wait of %v", tt.retryAfter, st.kind, st.wait, tt.want)
		}
	}
}
