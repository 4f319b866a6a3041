package importer

import (
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }
func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

// hold lets the current rate run a full holdFor without a 429.
func (c *fakeClock) hold(s *rateSearch) { c.add(holdFor); s.onSuccess(c.now()) }

// throttle is a 429 with Retry-After: 1, and the pause that follows it.
func (c *fakeClock) throttle(s *rateSearch) {
	s.onThrottle(c.now(), c.now().Add(time.Second))
	c.add(time.Second)
}

func near(a, b float64) bool { return a > b*0.99 && a < b*1.01 }

func TestRateSearchConverges(t *testing.T) {
	for _, limit := range []float64{7, 200, 950} {
		c := newFakeClock()
		s := newRateSearch(1000, c.now())
		// Every rate above the server's limit draws a 429 within holdFor,
		// every rate at or below it holds.
		for range 40 {
			if s.cur > limit {
				c.throttle(s)
				continue
			}
			c.hold(s)
		}
		// Settled within 10% under the limit, or on one of the probes 5%
		// above the lowest rate that drew a 429, which look for a raised
		// limit.
		if s.cur > 1.11*limit || s.cur < 0.9*limit {
			t.Errorf("limit %v: settled at %.1f/s, want within 10%% under it", limit, s.cur)
		}
	}
}

func TestRateSearchOneCutPerEpisode(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(100, c.now())
	first := s.onThrottle(c.now(), c.now().Add(2*time.Second))
	// Answers to requests sent before the cut arrive during the pause.
	c.add(500 * time.Millisecond)
	s.onThrottle(c.now(), c.now().Add(2*time.Second))
	got := s.onThrottle(c.now(), c.now().Add(time.Second))
	if !near(got, first) || !near(first, 50) {
		t.Errorf("rate %v after several 429s of one episode, want one halving to 50 (first cut %v)", got, first)
	}
	// A 429 after the pause is news: another cut.
	c.add(2 * time.Second)
	if got := s.onThrottle(c.now(), c.now().Add(time.Second)); !near(got, 25) {
		t.Errorf("rate %v after a 429 past the pause, want 25", got)
	}
}

func TestRateSearchRecoversToTarget(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(100, c.now())
	s.onThrottle(c.now(), c.now().Add(time.Second))
	for range 60 {
		c.hold(s)
	}
	if !near(s.cur, 100) {
		t.Errorf("rate %v after a long quiet spell, want back to 100", s.cur)
	}
}

func TestRateSearchFloor(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(10, c.now())
	for range 30 {
		c.throttle(s)
	}
	if s.cur < minRate {
		t.Errorf("rate %v fell under the floor %v", s.cur, minRate)
	}
}
