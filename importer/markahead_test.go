package importer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// aheadLedger counts the rows marked pending and tells, at each Begin, how
// many marked rows have not been sent yet.
type aheadLedger struct {
	fakeLedger
	mu       sync.Mutex
	marked   int
	sent     int
	maxAhead int
	begins   chan struct{}
}

func (l *aheadLedger) Begin(ctx context.Context, marks []importer.Mark) error {
	l.mu.Lock()
	for _, m := range marks {
		if m.Pending {
			l.marked++
		}
	}
	l.maxAhead = max(l.maxAhead, l.marked-l.sent)
	l.mu.Unlock()
	err := l.fakeLedger.Begin(ctx, marks)
	l.begins <- struct{}{}
	return err
}

// TestMarksStayCloseToSends: at 20 requests a second, dispatch marks about
// a second of rows ahead of the sends, not hundreds: the rows a SIGKILL
// leaves pending (and rows without an external_id among them wait for a
// person) are those.
func TestMarksStayCloseToSends(t *testing.T) {
	led := &aheadLedger{fakeLedger: fakeLedger{pending: map[string]bool{}, prior: map[string]importer.Prior{}},
		begins: make(chan struct{}, 1000)}
	api := fakeAPI{create: func(r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
		led.mu.Lock()
		led.sent++
		led.mu.Unlock()
		return &client.Customer{ID: "c-" + r.ExternalID}, &client.Response{Status: 201}, nil
	}}
	var b strings.Builder
	b.WriteString("external_id,email\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "x%d,u%d@example.com\n", i, i)
	}
	rd, err := importer.NewReader(strings.NewReader(b.String()), importer.ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		importer.New(api, importer.Config{Ledger: led, RunID: "r", Workers: 1, Rate: 20}).Run(ctx, rd, &memSink{})
	}()
	// By the third batch the reader is far ahead and the queue to the
	// worker is full: the most that can be marked and not sent.
	for range 3 {
		<-led.begins
	}
	cancel()
	<-done
	led.mu.Lock()
	defer led.mu.Unlock()
	// A batch (20) while the queue to the worker holds another (20), the
	// worker one, and one more in hand.
	if led.maxAhead > 42 {
		t.Errorf("up to %d rows were marked pending before their send; want about a second's worth (≤ 42) at 20/s", led.maxAhead)
	}
}
