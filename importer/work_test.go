package importer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// TestSentIsWhenWritten: the search reads a request as sent when the client
// wrote it, after any wait for a connection, not when the call began; a
// write time outside the call (another clock) is not taken.
func TestSentIsWhenWritten(t *testing.T) {
	for _, tt := range []struct {
		name  string
		wrote func(began time.Time) time.Time
		want  func(began, wrote time.Time) time.Time
	}{
		{"written after a 30 ms dial", func(b time.Time) time.Time { return b.Add(30 * time.Millisecond) },
			func(_, w time.Time) time.Time { return w }},
		{"a write time from another clock", func(b time.Time) time.Time { return b.Add(-time.Hour) },
			func(b, _ time.Time) time.Time { return b }},
		{"none", func(time.Time) time.Time { return time.Time{} },
			func(b, _ time.Time) time.Time { return b }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			began := clock.now()
			var wrote time.Time
			api := createOnly(func(client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
				wrote = tt.wrote(began)
				clock.add(31 * time.Millisecond) // the dial, the write and the answer
				return &client.Customer{ID: "c1"}, &client.Response{Status: 201, Wrote: wrote}, nil
			})
			r := newRun(context.Background(), New(api, Config{Rate: 10, Now: clock.now}))
			defer r.stop(nil)
			defer r.cancelReqs()
			o := r.call(newRowAttempt(job{row: Row{Request: client.CreateCustomerRequest{Email: "a@b.co"}}}, r.cfg))
			if want := tt.want(began, wrote); !o.sent.Equal(want) {
				t.Errorf("sent %v after the call began, want %v", o.sent.Sub(began), want.Sub(began))
			}
		})
	}
}

// createOnly is a Creator that only creates.
type createOnly func(client.CreateCustomerRequest) (*client.Customer, *client.Response, error)

func (f createOnly) CreateCustomer(_ context.Context, r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
	return f(r)
}

func (f createOnly) GetCustomer(context.Context, string) (*client.Customer, *client.Response, error) {
	return nil, nil, errors.New("no look-ups here")
}
