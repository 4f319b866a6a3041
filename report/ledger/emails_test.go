package ledger

import (
	"context"
	"testing"
)

// TestLookupEmails: customers held under external ids are found by their
// rows' emails, whatever the case; an imported one wins over a failed one;
// the index is made by a writer, and a reader finds them once it exists.
func TestLookupEmails(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	w := openT(t, path, targetA())
	if got, err := w.LookupEmails(ctx, []string{"ann@example.com"}); err != nil || len(got) != 0 {
		t.Fatalf("empty ledger: %v, %v", got, err)
	}
	r := openRO(t, path, "", "")
	apply(t, w,
		Change{Op: OpPending, Identity: "x:1", Run: "r", Line: 2, Email: "Ann@Example.com"},
		outcome("x:1", "r", 2, StateFailed, ""),
		Change{Op: OpPending, Identity: "x:2", Run: "r", Line: 3, Email: "ann@example.com"},
		outcome("x:2", "r", 3, StateCreated, "c2"),
		Change{Op: OpPending, Identity: "e:bob@example.com", Run: "r", Line: 4, Email: "bob@example.com"},
		Change{Op: OpPending, Identity: "x:3", Run: "r", Line: 5, Email: "ÉLISE@example.com"},
	)
	if got, err := r.LookupEmails(ctx, []string{"ann@example.com"}); err != nil || len(got) != 0 {
		t.Fatalf("a reader before the index: %v, %v; want nothing", got, err)
	}
	got, err := w.LookupEmails(ctx, []string{"ann@example.com", "bob@example.com", "cid@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if e := got["ann@example.com"]; len(got) != 1 || e.ExternalID != "2" || e.State != StateCreated || e.CustomerID != "c2" {
		t.Fatalf("LookupEmails = %+v; want only ann, as x:2 created c2 (bob is held by email, not under an id)", got)
	}
	if got, err := w.LookupEmails(ctx, []string{"élise@example.com"}); err != nil || got["élise@example.com"].ExternalID != "3" {
		t.Fatalf("a capital beyond ASCII: %v, %v; want x:3", got, err)
	}
	if got, err := r.LookupEmails(ctx, []string{"ann@example.com"}); err != nil || got["ann@example.com"].ExternalID != "2" {
		t.Fatalf("a reader after the index: %v, %v", got, err)
	}
	other := openT(t, ledgerPath(t), targetB())
	if got, err := other.LookupEmails(ctx, []string{"ann@example.com"}); err != nil || len(got) != 0 {
		t.Fatalf("another ledger: %v, %v", got, err)
	}
}
