package report

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/prolifi/prolifi-import/report/ledger"
)

func TestParseSettlement(t *testing.T) {
	tests := []struct {
		arg, email, id string
		bad            bool
	}{
		{arg: "a@example.com", email: "a@example.com"},
		{arg: " a@example.com = cus_1 ", email: "a@example.com", id: "cus_1"},
		{arg: "a=b@example.com", email: "a=b@example.com"},
		{arg: "a=b@example.com=cus_1", email: "a=b@example.com", id: "cus_1"},
		{arg: "=a@example.com", email: "=a@example.com"},
		{arg: "cus_1", bad: true},
		{arg: "a=cus_1", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseSettlement(tt.arg)
			if (err != nil) != tt.bad {
				t.Fatalf("error %v, want error %v", err, tt.bad)
			}
			if !tt.bad && (got.Email != tt.email || got.CustomerID != tt.id) {
				t.Errorf("got %+v, want email %q id %q", got, tt.email, tt.id)
			}
		})
	}
}

// A run that ends between Settle's look-up and its lock records the
// outcome; the person's answer, given about the pending row, must not
// replace it (missing over created would send the row again).
func TestSettleLeavesAnOutcomeRecordedMeanwhile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	target := ledger.Target{BaseURL: "http://127.0.0.1:1/api", KeyFingerprint: "sha256:k"}
	const id = "e:a@example.com"
	write := func(c ledger.Change) {
		t.Helper()
		l, err := ledger.Open(ctx, path, target, ledger.Options{Input: "in.csv"})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		run := ledger.Run{ID: "run-" + string(c.State), Input: "in.csv"}
		c.Run, c.Identity, c.Line = run.ID, id, 2
		if err := l.BeginRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		if err := l.Apply(ctx, []ledger.Change{c}); err != nil {
			t.Fatal(err)
		}
	}
	write(ledger.Change{Op: ledger.OpPending})
	byID := map[string][]Settlement{id: {{Email: "a@example.com"}}}
	groups, err := settleChanges(ctx, path, "", false, []string{id}, byID)
	if err != nil || len(groups) != 1 {
		t.Fatalf("settleChanges: %v, %d groups", err, len(groups))
	}
	write(ledger.Change{Op: ledger.OpOutcome, State: ledger.StateCreated, CustomerID: "cus_1"})
	for k, changes := range groups {
		done, err := settleRun(ctx, path, k, changes)
		if err != nil || len(done) != 0 {
			t.Fatalf("settleRun: %v, %d changes made", err, len(done))
		}
	}
	r, err := ledger.OpenReadOnly(ctx, path, target.BaseURL, target.KeyFingerprint)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Lookup(ctx, []string{id})
	if err != nil || got[id].State != ledger.StateCreated {
		t.Errorf("entry after settling: %+v (%v), want created", got[id], err)
	}
}
