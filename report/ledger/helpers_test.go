package ledger

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock that moves one millisecond a reading, so that every
// batch has its own time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 4, 2, 14, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// targetA and targetB are two keys of one API; targetC is another API.
func targetA() Target {
	return Target{BaseURL: "https://api.example", KeyFingerprint: Fingerprint("key-a")}
}
func targetB() Target {
	return Target{BaseURL: "https://api.example", KeyFingerprint: Fingerprint("key-b")}
}
func targetC() Target {
	return Target{BaseURL: "https://other.example", KeyFingerprint: Fingerprint("key-a")}
}

// ledgerPath is a fresh ledger path in a directory that does not exist yet.
func ledgerPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "state", "ledger.db")
}

// openT opens a writer and closes it when the test ends.
func openT(t *testing.T, path string, target Target) *Ledger {
	t.Helper()
	return openWith(t, path, target, newClock())
}

// openWith opens a writer on clock c and closes it when the test ends.
func openWith(t *testing.T, path string, target Target, c *clock) *Ledger {
	t.Helper()
	l, err := Open(context.Background(), path, target, Options{Now: c.Now, Input: "customers.csv"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// openRO opens a reader and closes it when the test ends.
func openRO(t *testing.T, path, baseURL, fp string) *Ledger {
	t.Helper()
	l, err := OpenReadOnly(context.Background(), path, baseURL, fp)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func apply(t *testing.T, l *Ledger, changes ...Change) {
	t.Helper()
	if err := l.Apply(context.Background(), changes); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func lookup(t *testing.T, l *Ledger, ids ...string) map[string]Entry {
	t.Helper()
	m, err := l.Lookup(context.Background(), ids)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	return m
}

func pending(id, run string, line int) Change {
	return Change{Op: OpPending, Identity: id, Run: run, Line: line}
}

func outcome(id, run string, line int, s State, customer string) Change {
	return Change{Op: OpOutcome, Identity: id, Run: run, Line: line, State: s, CustomerID: customer}
}

func seen(id, run string, line int) Change {
	return Change{Op: OpSeen, Identity: id, Run: run, Line: line}
}
