package ledger

import (
	"context"
	"errors"
	"testing"
)

func TestOtherKeysAndTakeOver(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	a := openT(t, path, targetA())
	if err := a.BeginRun(ctx, Run{ID: "r1", Input: "customers.csv"}); err != nil {
		t.Fatal(err)
	}
	apply(t, a, pending("e:ann@example.com", "r1", 2), outcome("e:ann@example.com", "r1", 2, StateCreated, "cus_1"),
		pending("x:42", "r1", 3))
	a.Close()
	// Another API with key A's entries elsewhere does not count.
	c := openT(t, path, targetC())
	if ks, err := c.OtherKeys(ctx); err != nil || len(ks) != 0 {
		t.Fatalf("OtherKeys of another base URL = %v, %v; want none", ks, err)
	}
	c.Close()

	b := openT(t, path, targetB())
	if n, err := b.OwnEntries(ctx); err != nil || n != 0 {
		t.Fatalf("OwnEntries of a new key = %d, %v; want 0", n, err)
	}
	ks, err := b.OtherKeys(ctx)
	if err != nil || len(ks) != 1 || ks[0].KeyFingerprint != targetA().KeyFingerprint || ks[0].Entries != 2 || ks[0].LastRun.IsZero() {
		t.Fatalf("OtherKeys = %+v, %v; want key A with 2 entries and its last run", ks, err)
	}
	if _, err := b.TakeOver(ctx, "sha256:nosuchkey"); err == nil {
		t.Fatal("TakeOver of an unknown key succeeded")
	}
	moved, err := b.TakeOver(ctx, targetA().KeyFingerprint)
	if err != nil || moved != 2 {
		t.Fatalf("TakeOver = %d, %v; want 2 entries", moved, err)
	}
	got := lookup(t, b, "e:ann@example.com", "x:42")
	if e := got["e:ann@example.com"]; e.State != StateCreated || e.CustomerID != "cus_1" || e.Input != "customers.csv" {
		t.Errorf("after TakeOver, ann = %+v; want created cus_1 from customers.csv", e)
	}
	if e := got["x:42"]; e.State != StatePending {
		t.Errorf("after TakeOver, x:42 = %+v; want pending", e)
	}
	if ks, err := b.OtherKeys(ctx); err != nil || len(ks) != 0 {
		t.Errorf("OtherKeys after TakeOver = %v, %v; want none", ks, err)
	}
	// Now key B holds entries: a second take-over would mix two histories.
	b.Close()
	a = openT(t, path, targetA())
	apply(t, a, pending("x:7", "r2", 2))
	if _, err := a.TakeOver(ctx, targetB().KeyFingerprint); !errors.Is(err, ErrOwnEntries) {
		t.Fatalf("TakeOver into a key with entries = %v; want ErrOwnEntries", err)
	}
	if got := lookup(t, a, "e:ann@example.com"); len(got) != 0 {
		t.Errorf("a refused TakeOver moved entries: %+v", got)
	}
}

// TestTakeOverAgain: a take-over asked for again (the flag left in a
// nightly script) finds the old key empty and moves nothing, without
// failing; an old key that holds entries again still cannot be mixed in.
func TestTakeOverAgain(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	a := openT(t, path, targetA())
	apply(t, a, pending("e:ann@example.com", "r1", 2))
	a.Close()
	b := openT(t, path, targetB())
	for i, want := range []int{1, 0} {
		if moved, err := b.TakeOver(ctx, targetA().KeyFingerprint); err != nil || moved != want {
			t.Fatalf("TakeOver %d = %d, %v; want %d, nil", i+1, moved, err, want)
		}
	}
	b.Close()
	a = openT(t, path, targetA())
	apply(t, a, pending("e:bob@example.com", "r2", 2))
	a.Close()
	b = openT(t, path, targetB())
	defer b.Close()
	if _, err := b.TakeOver(ctx, targetA().KeyFingerprint); !errors.Is(err, ErrOwnEntries) {
		t.Fatalf("TakeOver of an old key with new entries = %v; want ErrOwnEntries", err)
	}
}

func TestKeysOfAReader(t *testing.T) {
	path := ledgerPath(t)
	openT(t, path, targetA()).Close()
	r := openRO(t, path, "", "")
	if _, err := r.OtherKeys(context.Background()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("OtherKeys of a reader = %v; want ErrReadOnly", err)
	}
	if _, err := r.TakeOver(context.Background(), "x"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("TakeOver of a reader = %v; want ErrReadOnly", err)
	}
}
