package importer

import "time"

// rateSearch looks for the server's real limit when --rate is above it. It
// is pure: it reads no clock and waits for nothing; the run tells it what
// happened and when, and applies the rate it answers.
//
// After a 429 the rate is halved until a rate holds for holdFor without a
// 429 (lo); then it probes halfway between lo and the lowest rate that drew
// a 429 (hi), so a --rate far above the server's limit settles just under it
// after a few 429s instead of meeting one every second.
type rateSearch struct {
	target  float64   // --rate: never above it
	cur     float64   // the rate now
	since   time.Time // when cur was set
	lo, hi  float64   // highest rate that held, lowest that drew a 429 (0: none yet)
	lastCut time.Time // 429s for requests sent before this say nothing new
}

// holdFor is how long a rate must go without a 429 to count as safe.
const holdFor = 3 * time.Second

// minRate keeps a run moving however often the server says 429.
const minRate = 0.5

func newRateSearch(target float64, now time.Time) *rateSearch {
	return &rateSearch{target: target, cur: target, since: now}
}

// onThrottle records a 429 at now, after which the server's pause lasts
// until pauseUntil, and returns the rate to use.
func (s *rateSearch) onThrottle(now, pauseUntil time.Time) float64 {
	if now.Before(s.lastCut) {
		return s.cur // sent before the last cut took effect
	}
	if s.hi == 0 || s.cur < s.hi {
		s.hi = s.cur
	}
	if s.lo >= s.cur {
		s.lo = 0 // what looked safe was not
	}
	next := s.lo
	if next == 0 {
		next = s.cur / 2
	}
	s.set(max(next, minRate), now)
	s.lastCut = pauseUntil
	return s.cur
}

// onSuccess records an answer that was not a 429 at now and returns the
// rate to use: step by step back toward the target while rates hold.
func (s *rateSearch) onSuccess(now time.Time) float64 {
	if s.cur >= s.target || now.Sub(s.since) < holdFor {
		return s.cur
	}
	s.lo = max(s.lo, s.cur)
	next := (s.lo + s.hi) / 2
	if s.hi-s.lo <= s.hi*0.02 {
		// Close enough to the limit: stay, but try a little higher now and
		// then in case the server's limit was raised.
		if now.Sub(s.since) < 10*holdFor {
			return s.cur
		}
		s.hi = min(s.target, s.hi*1.05)
		next = s.hi
	}
	s.set(min(next, s.target), now)
	return s.cur
}

func (s *rateSearch) set(r float64, now time.Time) { s.cur, s.since = r, now }
