package importer

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPacerGateHoldsWorkers: while the gate is closed, Wait returns only
// when its context ends. Without the gate, a fresh pacer's first Wait
// returns at once with its one token.
func TestPacerGateHoldsWorkers(t *testing.T) {
	open := NewPacer(1000, 1, time.Now)
	if err := open.Wait(context.Background()); err != nil {
		t.Fatalf("an open pacer: %v", err)
	}
	p := NewPacer(1000, 1, time.Now)
	p.Pause(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait returned %v while the gate was closed, want the context's end", err)
	}
}

// TestPacerPauseOnlyExtends: a shorter pause does not reopen a longer one.
func TestPacerPauseOnlyExtends(t *testing.T) {
	c := newFakeClock()
	p := NewPacer(10, 1, c.now)
	long := p.Pause(10 * time.Second)
	if got := p.Pause(time.Second); !got.Equal(long) {
		t.Errorf("pause until %v after a shorter one, want %v", got, long)
	}
	if got := p.gate(); got != 10*time.Second {
		t.Errorf("gate %v, want 10s", got)
	}
}

func TestPacerSetRate(t *testing.T) {
	p := NewPacer(100, 1, time.Now)
	p.SetRate(25)
	if p.Rate() != 25 || float64(p.lim.Limit()) != 25 {
		t.Errorf("rate %v, limiter %v, want 25", p.Rate(), p.lim.Limit())
	}
}

// TestPacerGateAfterSlot: a worker that got its slot in the spacing schedule
// looks at the gate again before it sends, since a 429 may have closed it
// while the worker waited for the slot. The clock reads the gate open up to
// the slot, then closed (as a 429 in between would leave it).
func TestPacerGateAfterSlot(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	calls := 0
	clock := func() time.Time {
		calls++
		if calls <= 3 { // the gate before the token and the slot, and the slot itself
			return base.Add(2 * time.Hour)
		}
		return base
	}
	p := NewPacer(1000, 1, clock)
	p.pauseUntil = base.Add(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait returned %v with the gate closed after the slot, want the context's end", err)
	}
}
