package importer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

func TestDecide(t *testing.T) {
	api := func(status int, ra time.Duration) error {
		return &client.APIError{Status: status, RetryAfter: ra}
	}
	notSent := &client.TransportError{Method: "POST", Path: "/customers", Err: errors.New("connection refused")}
	sent := &client.TransportError{Method: "POST", Path: "/customers", Sent: true, Err: errors.New("connection reset")}
	tests := []struct {
		name   string
		err    error
		hasExt bool
		want   decision
	}{
		{"success", nil, false, decision{act: actDone}},
		{"429 with hint", api(429, 3*time.Second), false, decision{act: actRetry, wait: 3 * time.Second}},
		{"429 without hint", api(429, 0), true, decision{act: actRetry}},
		{"500", api(500, 0), false, decision{act: actRetry}},
		{"502", api(502, 0), true, decision{act: actRetry}},
		{"503 with hint", api(503, time.Second), true, decision{act: actRetry}},
		{"not sent", notSent, false, decision{act: actRetry}},
		{"wrapped not sent", fmt.Errorf("create: %w", notSent), false, decision{act: actRetry}},
		{"sent, external id", sent, true, decision{act: actRetry, uncertain: true}},
		{"sent, no external id", sent, false, decision{act: actUnknown}},
		{"409 with external id", api(409, 0), true, decision{act: actLookup}},
		{"409 without external id", api(409, 0), false, decision{act: actGiveUp}},
		{"401", api(401, 0), true, decision{act: actAbort}},
		{"403", api(403, 0), false, decision{act: actAbort}},
		{"422", api(422, 0), true, decision{act: actGiveUp}},
		{"400", api(400, 0), true, decision{act: actGiveUp}},
		{"404", api(404, 0), true, decision{act: actGiveUp}},
		{"413", api(413, 0), true, decision{act: actGiveUp}},
		{"cancelled", context.Canceled, true, decision{act: actGiveUp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.err, tt.hasExt); got != tt.want {
				t.Errorf("decide(%v, %v) = %+v, want %+v", tt.err, tt.hasExt, got, tt.want)
			}
		})
	}
}

func TestHintedBackOff(t *testing.T) {
	h := newRowBackOff(100*time.Millisecond, time.Second, 3)
	h.Reset()
	h.hint = 5 * time.Second
	if d := h.NextBackOff(); d != 5*time.Second {
		t.Errorf("first wait %v, want the hint", d)
	}
	if d := h.NextBackOff(); d <= 0 || d > time.Second {
		t.Errorf("second wait %v, want the backoff's own", d)
	}
	h.NextBackOff()
	h.hint = time.Second
	if d := h.NextBackOff(); d >= 0 {
		t.Errorf("after 3 retries got %v, want Stop even with a hint", d)
	}
}
