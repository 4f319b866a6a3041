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

// TestPacerSetRate: spaced sends aim a little under the rate.
func TestPacerSetRate(t *testing.T) {
	p := NewPacer(100, 1, time.Now)
	p.SetRate(25)
	if p.Rate() != 25 || float64(p.lim.Limit()) != 25*spacingShare {
		t.Errorf("rate %v, limiter %v, want 25 and %v", p.Rate(), p.lim.Limit(), 25*spacingShare)
	}
	p.SetRate(3000)
	if float64(p.lim.Limit()) != 3000 {
		t.Errorf("limiter %v above the spaced rates, want 3000", p.lim.Limit())
	}
}

// TestPacerGateAfterToken: a worker that waited for its token looks at
// the gate again before it sends, since a 429 may have closed it in the
// meantime. The clock reads the gate open before the token, closed after
// (as a 429 in between would leave it).
func TestPacerGateAfterToken(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	calls := 0
	clock := func() time.Time {
		calls++
		if calls == 1 { // the gate before the token
			return base.Add(2 * time.Hour)
		}
		return base
	}
	p := NewPacer(1000, 1, clock)
	p.pauseUntil = base.Add(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait returned %v with the gate closed after the token, want the context's end", err)
	}
}

// TestPacerOneWaiter: when sends are spaced, a worker waits for its slot
// only once no other worker is waiting for one; unspaced, workers do not
// take turns.
func TestPacerOneWaiter(t *testing.T) {
	tests := []struct {
		name      string
		rate      float64
		burst     int
		takeTurns bool
	}{
		{"spaced", 100, 1, true},
		{"a burst", 100, 5, false},
		{"above the spaced rates", 5000, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPacer(tt.rate, tt.burst, time.Now)
			p.turn <- struct{}{} // another worker is waiting for the next slot
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := p.Wait(ctx)
			if tt.takeTurns != errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Wait = %v while another worker waited for a slot; taking turns: %v", err, tt.takeTurns)
			}
		})
	}
}

// TestPacerSetBurst: a burst lowered to one spaces sends a little under the
// rate, as --burst 1 does; setting the same burst again changes nothing.
func TestPacerSetBurst(t *testing.T) {
	p := NewPacer(100, 15, time.Now)
	if p.lim.Burst() != 15 || float64(p.lim.Limit()) != 100 {
		t.Fatalf("limiter burst %d at %v, want 15 at 100", p.lim.Burst(), p.lim.Limit())
	}
	if !p.SetBurst(1) || p.SetBurst(1) {
		t.Error("SetBurst(1) from 15 then again: want true, then false")
	}
	if p.lim.Burst() != defaultCatchUp || float64(p.lim.Limit()) != 100*spacingShare || !p.spacedNow() {
		t.Errorf("limiter burst %d at %v, spaced %v; want %d at %v, spaced", p.lim.Burst(), p.lim.Limit(), p.spacedNow(), defaultCatchUp, 100*spacingShare)
	}
}
