package importer

import (
	"math"
	"time"
)

// stretch is a run of sends at one rate that began while the server's
// allowance was full: at the start of the run, at the end of a pause, or on
// a raise from a rate that held. It ends at the first send the server
// refused with 429.
//
// Against a token bucket of B tokens that refills at L a second, sends
// spaced at r > L from a full bucket pass until the bucket is empty: the
// k-th send is the first refused when k−1 ≤ (B−1)/(1−L/r) < k. Taken at its
// middle that is n = c + L·τ, with n = k − ½, c = B − 1 and τ the time from
// the first send to halfway between the last accepted and the refused one.
// One stretch is one such equation; two at different rates give both c and
// L (fitBucket), and once c is known every stretch gives L (limitGiven).
type stretch struct {
	rate     float64
	start    time.Time     // sends from here on belong to it
	first    time.Time     // its earliest send answered so far (zero: none)
	accepted int           // its sends answered with anything but 429, before the refused one
	refused  time.Time     // its first send refused with 429 (zero: none yet)
	pause    time.Duration // the pause that followed the refusal
	atOnce   int           // the sends the client's pacer could let go at once as it began
	// probe marks a stretch whose rate was a guess: above the estimated
	// limit, or with no estimate at all. A refusal after a long spell at a
	// rate that held may instead mean the limit fell at some moment within
	// it: the rate it gives is then only a little under the old one, and the
	// next stretch, refused soon, measures the new limit.
	probe bool
	// trial marks a stretch at a limit measured from short stretches only,
	// which one send more or less in them moves by a few percent: a 429
	// soon after it began is the measurement put right, not a limit that
	// fell, and its pause may be cut short (see rateSearch.cutPause).
	trial bool
	// afterCut marks a stretch that began at a pause cut short: the bucket
	// was full again if the limit it was cut for still held.
	afterCut bool
	lastOK   time.Time // the latest send accepted before the refused one
}

// accept counts a send answered with anything but 429.
func (s *stretch) accept(sent time.Time) {
	if s.first.IsZero() || sent.Before(s.first) {
		s.first = sent
	}
	if s.refused.IsZero() || sent.Before(s.refused) {
		s.accepted++
		if sent.After(s.lastOK) {
			s.lastOK = sent
		}
	}
}

// holds reports whether sent belongs to s: sent at or after its start and
// not after its refusal.
func (s *stretch) holds(sent time.Time) bool {
	return !s.start.IsZero() && !sent.Before(s.start) && (s.refused.IsZero() || !sent.After(s.refused))
}

// inBurst reports whether s was refused within the client's opening burst:
// fewer sends were accepted than the pacer lets go at once, and they came
// at least twice as fast as s's rate, which only a burst does. The server
// then took all it takes at once, whatever the rate: the count tells its
// burst (or a window's quota, which looks the same), and nothing of its
// rate.
func (s *stretch) inBurst() bool {
	if s.atOnce <= 1 || s.accepted == 0 || s.accepted >= s.atOnce || s.first.IsZero() || s.refused.IsZero() {
		return false
	}
	return s.refused.Sub(s.first).Seconds() < float64(s.accepted)/(2*s.rate)
}

// point is s as one equation of the bucket model: n = c + L·τ.
func (s *stretch) point() (n, tau float64, ok bool) {
	if s.accepted == 0 || s.first.IsZero() || !s.refused.After(s.first) {
		return 0, 0, false
	}
	n = float64(s.accepted) - 0.5
	tau = s.refused.Sub(s.first).Seconds() - 0.5/s.rate
	return n, tau, tau > 0
}

// ends returns s's last two sends as the bucket model reads them: a sends
// accepted, the last of them ta after s's first send, and the refused one
// tk after it. ok is false when s does not have both.
func (s *stretch) ends() (a, ta, tk float64, ok bool) {
	if s.accepted == 0 || s.first.IsZero() || !s.refused.After(s.lastOK) || s.lastOK.Before(s.first) {
		return 0, 0, 0, false
	}
	return float64(s.accepted), s.lastOK.Sub(s.first).Seconds(), s.refused.Sub(s.first).Seconds(), true
}

// burstSlack is how far, in tokens, burstGiven looks beyond the range a
// stretch allows: arrivals jitter by a fraction of a send.
const burstSlack = 0.2

// burstGiven returns the burst c, a whole number of tokens, that s tells
// given a rate l known closely: the one whole number in the range its last
// two sends allow (the a-th found a token, c + l·ta ≥ a − 1; the one after
// it found none, c + l·tk < a). ok is false when there is none, or more
// than one.
func (s *stretch) burstGiven(l float64) (float64, bool) {
	a, ta, tk, ok := s.ends()
	if !ok {
		return 0, false
	}
	lo, hi := a-1-l*ta-burstSlack, a-l*tk+burstSlack
	c := math.Ceil(max(lo, 0))
	return c, c < hi && c+1 >= hi
}

// limitGiven returns the bucket's rate from s alone, given c = B − 1.
func (s *stretch) limitGiven(c float64) (float64, bool) {
	n, tau, ok := s.point()
	if !ok {
		return 0, false
	}
	l := (n - c) / tau
	return l, l > 0 && l < s.rate
}

// doubtShare is the share of a limit l by which one send more or less in a
// stretch must move the limit it gives for the limit to be in doubt: a
// stretch that short may have been read with a burst a token off.
const doubtShare = 0.05

// doubtAt returns how far the limit l that s gave would move with one send
// more in s (1/τ), when that is more than doubtShare of l; else 0.
func (s *stretch) doubtAt(l float64) float64 {
	_, tau, ok := s.point()
	if !ok || 1/tau <= doubtShare*l {
		return 0
	}
	return 1 / tau
}

// cycleRate is what the server accepted over s and the pause after it. For
// a limiter that counts in windows, or a bucket whose burst fills within the
// pause, it does not exceed the limit.
func (s *stretch) cycleRate() float64 {
	if s.first.IsZero() || s.refused.IsZero() {
		return 0
	}
	return float64(s.accepted) / (s.refused.Sub(s.first) + s.pause).Seconds()
}

// fitBucket solves the bucket model for two stretches, a then b, whose
// refusals came after times far enough apart to tell c from L. It reports false when they do not fit a token bucket: a limit
// at or above a rate that was refused, a negative burst, or a burst larger
// than the pause between them could have refilled (a fixed window's quota
// looks like that: a large burst that comes back whole after a short pause).
func fitBucket(a, b stretch) (c, l float64, ok bool) {
	na, ta, okA := a.point()
	nb, tb, okB := b.point()
	if !okA || !okB || math.Abs(ta-tb) < 0.25*max(ta, tb) {
		return 0, 0, false
	}
	l = (nb - na) / (tb - ta)
	c = na - l*ta
	// A tenth to spare: a bucket that the pause just refills (a burst of a
	// second's tokens, a pause of a second) must fit.
	refill := 1.1*l*a.pause.Seconds() + 1
	return c, l, l > 0 && l < min(a.rate, b.rate) && c >= -0.5 && c+1 <= refill
}
