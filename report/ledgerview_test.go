package report

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/report/ledger"
)

// TestWriteLedgerCSVByHand: the "unknown" listing keeps only the rows a
// person must check (no external_id); with one, the next run settles it.
func TestWriteLedgerCSVByHand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := ledger.Open(ctx, path, ledger.Target{BaseURL: "https://api.example", KeyFingerprint: ledger.Fingerprint("k")}, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Apply(ctx, []ledger.Change{
		{Op: ledger.OpPending, Identity: "e:lost@example.com", Run: "r", Line: 2},
		{Op: ledger.OpOutcome, Identity: "e:lost@example.com", Run: "r", Line: 2, State: ledger.StateOutcomeUnknown},
		{Op: ledger.OpPending, Identity: "x:42", Run: "r", Line: 3, Email: "x42@example.com"},
		{Op: ledger.OpOutcome, Identity: "x:42", Run: "r", Line: 3, State: ledger.StateOutcomeUnknown},
		{Op: ledger.OpPending, Identity: "e:inflight@example.com", Run: "r", Line: 4},
		{Op: ledger.OpPending, Identity: "e:ok@example.com", Run: "r", Line: 5},
		{Op: ledger.OpOutcome, Identity: "e:ok@example.com", Run: "r", Line: 5, State: ledger.StateCreated, CustomerID: "c1"},
	})
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	unknown := []ledger.State{ledger.StateOutcomeUnknown, ledger.StatePending}
	for _, tc := range []struct {
		name   string
		states []ledger.State
		byHand bool
		want   []string
		not    []string
	}{
		{"unknown, by hand", unknown, true, []string{"lost@example.com", "inflight@example.com"}, []string{"x:42", "ok@example.com"}},
		{"unknown, all", unknown, false, []string{"lost@example.com", "x:42", "inflight@example.com"}, []string{"ok@example.com"}},
		{"entries", nil, false, []string{"lost@example.com", "x:42", "inflight@example.com", "ok@example.com"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteLedgerCSV(ctx, &b, path, "", tc.states, tc.byHand); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.String(), LedgerColumns+"\n") {
				t.Errorf("no header:\n%s", b.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%s missing:\n%s", w, b.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("%s listed:\n%s", n, b.String())
				}
			}
		})
	}
}

// TestPrintLedgerEmptyTarget: a target without customers (a key whose run
// was refused, or sent nothing) says so instead of a blank line.
func TestPrintLedgerEmptyTarget(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := ledger.Open(ctx, path, ledger.Target{BaseURL: "https://api.example", KeyFingerprint: ledger.Fingerprint("k")}, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	var b strings.Builder
	if err := PrintLedger(ctx, &b, path, "", 5); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "https://api.example (key sha256:") || !strings.Contains(b.String(), "\n  no customers recorded\n") {
		t.Errorf("PrintLedger:\n%s", b.String())
	}
}
