package importer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// fakeLedger is an in-memory Ledger that also checks the write-ahead rule:
// the API fake asks it whether a create had its pending mark first.
type fakeLedger struct {
	mu      sync.Mutex
	prior   map[string]importer.Prior
	pending map[string]bool
	begins  int
	fail    error
	byEmail map[string]importer.Prior // for RecallEmails
}

func (l *fakeLedger) Recall(_ context.Context, ids []string) (map[string]importer.Prior, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]importer.Prior{}
	for _, id := range ids {
		if p, ok := l.prior[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

func (l *fakeLedger) Begin(_ context.Context, marks []importer.Mark) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	l.begins++
	for _, m := range marks {
		p := l.prior[m.Identity]
		p.SeenRun, p.SeenLine = "run-2", m.Line
		if m.Pending {
			l.pending[m.Identity] = true
		}
		l.prior[m.Identity] = p
	}
	return nil
}

func (l *fakeLedger) Release(context.Context, []string) error { return nil }

func (l *fakeLedger) RecallEmails(_ context.Context, emails []string) (map[string]importer.Prior, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]importer.Prior{}
	for _, e := range emails {
		if p, ok := l.byEmail[e]; ok {
			out[e] = p
		}
	}
	return out, nil
}

func (l *fakeLedger) isPending(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending[id]
}

// TestLedgerDecidesWhatIsSent: a run sends only what the ledger does not
// know as done, never resends a maybe-sent row without an external_id, and
// sends nothing before its pending mark is recorded.
func TestLedgerDecidesWhatIsSent(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	led := &fakeLedger{pending: map[string]bool{}, prior: map[string]importer.Prior{
		"x:done":          {State: importer.PriorCreated, CustomerID: "c-done", Input: "/in/old.csv", Line: 7, At: at, SeenRun: "run-1", SeenLine: 7},
		"e:lost@b.co":     {State: importer.PriorUnknown, Line: 9, Input: "old.csv", At: at},
		"x:maybe":         {State: importer.PriorPending, Line: 3, Input: "old.csv", At: at},
		"x:failed-before": {State: importer.PriorFailed},
	}}
	var mu sync.Mutex
	var sent []string
	api := fakeAPI{
		create: func(r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
			id := importer.Identity(r)
			if !led.isPending(id) {
				t.Errorf("create for %s sent before its pending mark", id)
			}
			mu.Lock()
			sent = append(sent, id)
			mu.Unlock()
			if r.ExternalID == "maybe" {
				return nil, &client.Response{Status: 409}, &client.APIError{Status: 409, Type: client.TypeConflict}
			}
			return &client.Customer{ID: "new-" + id}, &client.Response{Status: 201}, nil
		},
		get: func(ext string) (*client.Customer, *client.Response, error) {
			return &client.Customer{ID: "found-" + ext}, &client.Response{Status: 200}, nil
		},
	}
	csv := "external_id,email\n" +
		"done,a@b.co\n" + // 2: known: exists, no request
		",lost@b.co\n" + // 3: unknown without external_id: not sent
		"maybe,m@b.co\n" + // 4: pending with external_id: sent, 409 → created
		"failed-before,f@b.co\n" + // 5: failed earlier: sent again
		"new,n@b.co\n" + // 6: new
		"new,n2@b.co\n" // 7: duplicate of 6
	sink, st, err := runCSV(t, api, csv, importer.Config{Ledger: led, RunID: "run-2", Workers: 2, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		status   importer.Status
		id       string
		attempts int
		msg      string
	}{
		2: {importer.StatusExists, "c-done", 0, "imported on 2026-11-01 (line 7 of old.csv)"},
		3: {importer.StatusFailed, "", 0, "ledger missing lost@b.co"},
		4: {importer.StatusCreated, "found-maybe", 2, ""},
		5: {importer.StatusCreated, "new-x:failed-before", 1, ""},
		6: {importer.StatusCreated, "new-x:new", 1, ""},
		7: {importer.StatusDuplicate, "", 0, "line 6"},
	}
	for line, w := range want {
		r := sink.byLine[line]
		if r.Status != w.status || r.CustomerID != w.id || r.Attempts != w.attempts || !strings.Contains(r.Message, w.msg) {
			t.Errorf("line %d: %+v, want %+v", line, r, w)
		}
	}
	if len(sent) != 3 || st.Creates != 3 || st.Lookups != 1 || st.Retries != 0 {
		t.Errorf("sent %v; stats %+v", sent, st)
	}
}

// TestDuplicatesAcrossBatches: the ledger's seen marks find a repeat that
// arrives long after the first line, in another batch.
func TestDuplicatesAcrossBatches(t *testing.T) {
	led := &fakeLedger{pending: map[string]bool{}, prior: map[string]importer.Prior{}}
	api := fakeAPI{create: func(r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
		return &client.Customer{ID: "id"}, &client.Response{Status: 201}, nil
	}}
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 3000 { // more than two batches of the most dispatch takes
		fmt.Fprintf(&b, "u%d@b.co\n", i)
	}
	b.WriteString("U0@B.co\n") // line 3002: the email of line 2, in other case
	sink, _, err := runCSV(t, api, b.String(), importer.Config{Ledger: led, RunID: "run-2", Rate: 1e6, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r := sink.byLine[3002]; r.Status != importer.StatusDuplicate || !strings.Contains(r.Message, "line 2") {
		t.Errorf("line 3002: %+v", r)
	}
	if led.begins < 2 {
		t.Errorf("%d ledger batches, want the rows spread over several", led.begins)
	}
}

// TestLedgerWriteFails: when the ledger cannot record a batch, nothing of
// it is sent and the run fails.
func TestLedgerWriteFails(t *testing.T) {
	led := &fakeLedger{pending: map[string]bool{}, prior: map[string]importer.Prior{}, fail: fmt.Errorf("disk full")}
	api := fakeAPI{create: func(r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
		t.Error("a row was sent without its pending mark")
		return nil, nil, nil
	}}
	_, st, err := runCSV(t, api, "email\na@b.co\n", importer.Config{Ledger: led, RunID: "r"})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err %v, want the ledger's error", err)
	}
	if st.NotAttempted != 1 {
		t.Errorf("%d rows not attempted, want the 1 row read (the summary would say the input had none)", st.NotAttempted)
	}
}
