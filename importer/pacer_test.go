package importer

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }
func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

// hold lets the current rate run a full holdFor without a 429.
func (c *fakeClock) hold(p *Pacer) { c.add(holdFor); p.Succeeded() }

// throttle is a 429 with Retry-After: 1, and the pause that follows it.
func (c *fakeClock) throttle(p *Pacer) { p.Throttled(time.Second); c.add(time.Second) }

func near(a, b float64) bool { return a > b*0.99 && a < b*1.01 }

func TestPacerConverges(t *testing.T) {
	c := newFakeClock()
	p := NewPacer(1000, 1, c.now)
	// The server's real limit is 200/s: every rate above it draws a 429
	// within holdFor, every rate at or below it holds.
	const limit = 200.0
	for range 40 {
		if p.Rate() > limit {
			c.throttle(p)
			continue
		}
		c.hold(p)
	}
	got := p.Rate()
	if got > limit || got < 0.9*limit {
		t.Errorf("settled at %.1f/s, want within 10%% under %v", got, limit)
	}
}

func TestPacerOneCutPerEpisode(t *testing.T) {
	c := newFakeClock()
	p := NewPacer(100, 1, c.now)
	p.Throttled(2 * time.Second)
	first := p.Rate()
	// Answers to requests sent before the cut arrive during the pause.
	c.add(500 * time.Millisecond)
	p.Throttled(2 * time.Second)
	p.Throttled(0)
	if got := p.Rate(); !near(got, first) || !near(first, 50) {
		t.Errorf("rate %v after several 429s of one episode, want one halving to 50 (first cut %v)", got, first)
	}
}

func TestPacerRecoversToTarget(t *testing.T) {
	c := newFakeClock()
	p := NewPacer(100, 1, c.now)
	p.Throttled(time.Second)
	for range 60 {
		c.hold(p)
	}
	if got := p.Rate(); !near(got, 100) {
		t.Errorf("rate %v after a long quiet spell, want back to 100", got)
	}
}

func TestPacerGateHoldsWorkers(t *testing.T) {
	p := NewPacer(1000, 1, time.Now)
	p.Throttled(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Wait(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v while the gate was closed", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait returned %v, want context.Canceled", err)
	}
}
