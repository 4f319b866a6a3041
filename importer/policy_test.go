package importer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

func TestDecide(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	api := func(status int, ra time.Duration) outcome {
		return outcome{resp: &client.Response{Status: status, RetryAfter: ra}, err: &client.APIError{Status: status, Type: "x", RetryAfter: ra}}
	}
	gateway := func(status int) outcome {
		return outcome{resp: &client.Response{Status: status}, err: &client.APIError{Status: status, Body: "<html>Gateway Timeout</html>"}}
	}
	lookup := func(o outcome) outcome { o.lookup = true; return o }
	transport := func(sent bool, err error) outcome {
		return outcome{err: &client.TransportError{Method: "POST", Path: "/customers", Sent: sent, Err: err}}
	}
	resetOnly := outcome{resp: &client.Response{Status: 429}, err: &client.APIError{Status: 429, RateLimit: client.RateLimit{Reset: now.Add(4 * time.Second)}}}
	unreadable := outcome{resp: &client.Response{Status: 201}, err: &client.DecodeError{Status: 201, Err: errors.New("EOF")}}
	refused := errors.New("connection refused")
	tests := []struct {
		name    string
		o       outcome
		hasExt  bool
		verdict verdict
		wait    time.Duration
		unc     bool
	}{
		{"success", outcome{resp: &client.Response{Status: 201}}, false, vDone, 0, false},
		{"200 is success too", outcome{resp: &client.Response{Status: 200}}, true, vDone, 0, false},
		{"2xx unreadable, external id: look it up", unreadable, true, vLookup, 0, true},
		{"2xx unreadable, no external id: created without id", unreadable, false, vDone, 0, false},
		{"429 with hint", api(429, 3*time.Second), false, vRetry, 3 * time.Second, false},
		{"429 without hint", api(429, 0), true, vRetry, 0, false},
		{"429 reset header only", resetOnly, true, vRetry, 4 * time.Second, false},
		{"429 longer than max wait", api(429, 99999*time.Second), true, vStop, 99999 * time.Second, false},
		{"500", api(500, 0), false, vRetry, 0, false},
		{"502", api(502, 0), true, vRetry, 0, false},
		{"a gateway's 504, external id: retry", gateway(504), true, vRetry, 0, false},
		{"a gateway's 504, no external id: unknown", gateway(504), false, vUnknown, 0, false},
		{"a gateway's 502 to a look-up: retry", lookup(gateway(502)), false, vRetry, 0, false},
		{"not sent", transport(false, refused), false, vRetry, 0, false},
		{"wrapped not sent", outcome{err: fmt.Errorf("create: %w", transport(false, refused).err)}, false, vRetry, 0, false},
		{"sent, external id", transport(true, errors.New("reset")), true, vRetry, 0, true},
		{"sent, no external id", transport(true, errors.New("reset")), false, vUnknown, 0, false},
		{"look-up sent, no answer: safe to repeat", lookup(transport(true, errors.New("reset"))), true, vRetry, 0, false},
		{"unknown host", transport(false, &net.DNSError{IsNotFound: true}), true, vStop, 0, false},
		{"409 with external id", api(409, 0), true, vLookup, 0, false},
		{"409 without external id", api(409, 0), false, vGiveUp, 0, false},
		{"404 on a look-up: create it", lookup(api(404, 0)), true, vCreate, 0, false},
		{"404 on a create", api(404, 0), true, vGiveUp, 0, false},
		{"301", api(301, 0), true, vGiveUp, 0, false},
		{"307", api(307, 0), false, vGiveUp, 0, false},
		{"401", api(401, 0), true, vStop, 0, false},
		{"403", api(403, 0), false, vStop, 0, false},
		{"422", api(422, 0), true, vGiveUp, 0, false},
		{"400", api(400, 0), true, vGiveUp, 0, false},
		{"413", api(413, 0), true, vGiveUp, 0, false},
		{"cancelled", outcome{err: context.Canceled}, true, vGiveUp, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decide(tt.o, tt.hasExt, 2*time.Minute, now)
			if got.verdict != tt.verdict || got.wait != tt.wait || got.uncertain != tt.unc {
				t.Errorf("decide = %+v, want verdict %d wait %v uncertain %v", got, tt.verdict, tt.wait, tt.unc)
			}
		})
	}
}

// TestDecideMessages: the answers a person reads name what they need.
func TestDecideMessages(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	redirect := outcome{resp: &client.Response{Status: 307}, err: &client.APIError{Status: 307, Location: "evil.example:8443"}}
	if d := decide(redirect, true, 0, now); d.errorType != ErrorTypeRedirect || !contains(d.message, "307", "evil.example:8443") {
		t.Errorf("redirect: %+v", d)
	}
	long := outcome{resp: &client.Response{Status: 429}, err: &client.APIError{Status: 429, RetryAfter: 99999 * time.Second}}
	if d := decide(long, true, 2*time.Minute, now); !contains(d.message, "27h46m39s", "--max-wait 2m0s", "2026-11-29 13:46:39 UTC") {
		t.Errorf("long wait: %q", d.message)
	}
	if d := decide(long, true, 0, now); d.verdict != vRetry {
		t.Errorf("max wait 0 means any wait: %+v", d)
	}
}
