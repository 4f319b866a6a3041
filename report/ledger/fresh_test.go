package ledger

import (
	"fmt"
	"testing"
)

// TestFreshTargetLookups: in a target that was empty when look-ups began,
// identities this writer never wrote are answered without SQL, and every
// identity it wrote (pending, or an outcome that made the entry) is found;
// a target that held entries is asked about everything.
func TestFreshTargetLookups(t *testing.T) {
	path := ledgerPath(t)
	l := openT(t, path, targetA())
	ids := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("x:%s-%d", prefix, i)
		}
		return out
	}
	if got := lookup(t, l, ids("old", 300)...); len(got) != 0 {
		t.Fatalf("empty target: found %d", len(got))
	}
	var changes []Change
	for _, id := range ids("old", 300) {
		changes = append(changes, pending(id, "r", 2))
	}
	changes = append(changes, outcome("x:adopted", "r", 3, StateCreated, "c"))
	apply(t, l, changes...)
	before := l.fresh.asked.Load()
	got := lookup(t, l, append(append(ids("old", 300), "x:adopted"), ids("new", 300)...)...)
	if len(got) != 301 {
		t.Fatalf("found %d of the 301 written", len(got))
	}
	if asked := l.fresh.asked.Load() - before; asked > 330 {
		t.Errorf("%d identities asked in SQL; want the 301 written and few of the 300 never written", asked)
	}
	l.Close()

	// Reopened, the target holds entries: every identity goes to SQL.
	l = openT(t, path, targetA())
	lookup(t, l, ids("new", 300)...)
	if asked := l.fresh.asked.Load(); asked != 300 {
		t.Errorf("a target with entries: %d identities asked in SQL, want 300", asked)
	}
	if got := lookup(t, l, ids("old", 300)...); len(got) != 300 {
		t.Errorf("reopened: found %d of 300", len(got))
	}
}

// TestFreshTargetTakeOver: entries a take-over brings into a target that
// looked empty are found (they come in without Apply).
func TestFreshTargetTakeOver(t *testing.T) {
	path := ledgerPath(t)
	a := openT(t, path, targetA())
	apply(t, a, pending("x:1", "r", 2))
	a.Close()
	b := openT(t, path, targetB())
	if got := lookup(t, b, "x:1"); len(got) != 0 {
		t.Fatalf("key B before the take-over: %v", got)
	}
	if _, err := b.TakeOver(t.Context(), targetA().KeyFingerprint); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, b, "x:1"); len(got) != 1 {
		t.Errorf("key B after the take-over found %d of 1", len(got))
	}
}
