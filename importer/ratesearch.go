package importer

import (
	"math"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// rateSearch finds the server's limit when --rate is above it, and follows
// it when it changes. It is pure: it reads no clock and waits for nothing;
// the run tells it what each answer said and when its request was sent, and
// applies the rate (and any wait) it answers.
//
// What it trusts, first to last:
//   - a limit the server states in rate-limit headers, on any answer, caps
//     the rate at once, a little under it (statedLimit); an answer saying
//     none is left holds every send until the reset;
//   - a refusal within the client's opening burst (--burst above the
//     server's) tells the server's burst, never its rate: sends are spaced
//     from then on, and the rate is tried again spaced (burstMet);
//   - a limiter of one-second windows is recognised from the seconds that
//     held a refusal (secondCounts), and the rate goes a little under its
//     quota; a second that is then accepted beyond the quota disproves it,
//     and the first probe above it comes after holdFor to look for one;
//   - a token bucket is measured from the stretches of sends that ended in
//     a 429 (stretch, fitBucket): two at different rates give its burst and
//     rate, after which each one gives its rate;
//   - anything else gets a bounded search: the highest rate that held (lo)
//     and the lowest that drew a 429 (hi) are bisected, never under what
//     the server was seen to accept over a stretch and the pause after it.
//
// A rate that holds for holdFor counts as safe. Settled under a limit, the
// search tries a little higher every probeEvery, in case it was raised.
type rateSearch struct {
	target  float64       // --rate: never above it
	maxWait time.Duration // --max-wait: no longer hold (0: any)
	cap     float64       // target, or a little under the limit the server states
	stated  float64       // the limit the server states, a second (0: none)
	cur     float64       // the rate now
	since   time.Time     // when cur was set, or the gate last opened
	lo, hi  float64       // highest rate that held; lowest that drew a 429 (0: none)
	est     float64       // the limit as measured (0: unknown)
	burst   float64       // c = B − 1 of a token bucket (−1: unknown)
	atOnce  int           // the sends the pacer may let go at once (--burst, until the server refuses one)
	kind    limiterKind
	checked bool      // the window found was told from a bucket, or had its early probe
	gate    time.Time // no send before this
	quiet   time.Time // the last 429 or probe: the next probe waits probeEvery from it

	run        stretch   // the stretch going on
	last, prev stretch   // the last two that ended in a 429, newest first
	lastGate   time.Time // the end of the pause after last: later sends are not last's
	seconds    secondCounts
	reader     statedLimit
	cut        pauseCut
	refined    refinement
	oneAtATime bool    // spaced sends never catch up in pairs (see catchUp)
	doubt      float64 // how far a limit fitted from short stretches may be low (0: not in doubt)
}

// observation is what the search learns from one HTTP answer.
type observation struct {
	sent, at   time.Time // when its request went out, and when it came back
	throttled  bool      // a 429
	pauseUntil time.Time // with throttled: the end of the pause it set
	limit      client.RateLimit
}

// limiterKind is what the search has recognised the server's limiter as.
type limiterKind int

const (
	kindUnknown limiterKind = iota
	kindBucket              // a token bucket, measured
	kindWindow              // fixed one-second windows
)

func (k limiterKind) String() string {
	return [...]string{"unknown", "token bucket", "one-second windows"}[k]
}

const (
	// holdFor is how long a rate must go without a 429 to count as safe.
	holdFor = 3 * time.Second
	// minRate keeps a run moving however often the server says 429.
	minRate = 0.5
	// probeEvery spaces the tries above a limit that was found, so that a
	// raised limit is found within about a minute.
	probeEvery = 40 * time.Second
	// pairWithin bounds the time between two stretches fitted together:
	// older ones may have met another limit.
	pairWithin = 10 * time.Second
)

// The shares of a limit the rate goes at, and the steps it takes.
const (
	estimateShare = 0.99 // of a measured limit
	statedShare   = 0.99 // of a limit the server states
	probeStep     = 1.05 // a try above a limit that was found
	climbStep     = 1.5  // above every rate that failed, while rates hold
)

func newRateSearch(target float64, atOnce int, maxWait time.Duration, now time.Time) *rateSearch {
	s := &rateSearch{target: target, maxWait: maxWait, cap: target, burst: -1, atOnce: max(atOnce, 1), quiet: now}
	s.set(target, now, true)
	return s
}

// observe records one answer and returns the rate to use from now on, and
// a time before which nothing may be sent (zero: no such wait).
func (s *rateSearch) observe(a observation) (rate float64, hold time.Time) {
	if a.throttled {
		s.throttled(a.sent, a.at, a.pauseUntil)
		hold = s.gate
	} else {
		s.accepted(a.sent, a.at)
	}
	if a.limit.Known() {
		hold = maxTime(hold, s.heed(a.limit, a.at))
	}
	return s.cur, hold
}

// accepted records an answer other than 429.
func (s *rateSearch) accepted(sent, now time.Time) {
	s.seconds.accept(sent)
	if s.kind == kindWindow && s.seconds.count(sent) > int(s.est)+1 {
		s.notWindow()
	}
	switch {
	case s.run.holds(sent):
		s.run.accept(sent)
	case s.ofLast(sent) && sent.Before(s.last.refused):
		// A late answer from the stretch that just ended: while the gate is
		// still closed, the rate after it can still be put right.
		s.last.accept(sent)
		if now.Before(s.gate) {
			s.settle()
		}
	}
	s.climb(now)
}

// throttled records a 429 for a request sent at sent, answered at now,
// after which the server asked every send to wait until pauseUntil. The
// search may open its gate sooner (cutPause).
func (s *rateSearch) throttled(sent, now, pauseUntil time.Time) {
	if s.ofLast(sent) {
		// Sent before the pause of the last 429 took effect: the same
		// episode, told again. Only an earlier refusal changes it.
		s.cut.serverEnd = maxTime(s.cut.serverEnd, pauseUntil)
		if sent.Before(s.last.refused) {
			s.last.refused = sent
			s.settle()
		}
		s.keepPause()
		return
	}
	if s.stated > 0 && sent.Before(s.run.start) {
		// Sent before the server's statement set the rate: a refusal of
		// the rate before it, which tells nothing of the stated one. Only
		// its pause applies (a run's opening sends, out before the first
		// answer, meet this whenever the latency is longer than the
		// server's burst lasts at --rate).
		s.gate = maxTime(s.gate, pauseUntil)
		s.set(s.cur, s.gate, false)
		return
	}
	s.cut.refusedEarly(sent, s.run.accepted)
	if s.run.accepted <= 1 {
		// The server had at most one request to give as the stretch
		// began: the two sends the pacer lets go at once after a pause
		// would meet a 429 at the end of every pause.
		s.oneAtATime = true
	}
	if !s.run.holds(sent) {
		// Sent at the rate before the last raise: the stretch now going on
		// did not meet this refusal and measures nothing.
		s.run.first = time.Time{}
	}
	s.run.refused, s.run.pause = sent, pauseUntil.Sub(now)
	if !s.run.inBurst() {
		// A second refused within a burst holds the server's burst, which a
		// bucket's refusals share with a window's at any rate.
		s.seconds.refuse(sent, s.run.rate)
	}
	s.prev, s.last = s.last, s.run
	s.gate, s.lastGate, s.quiet = pauseUntil, pauseUntil, pauseUntil
	s.cut.begin(pauseUntil, s.est)
	s.settle()
	s.cutPause(now)
}

// ofLast reports whether sent belongs to the stretch that last ended in a
// 429: sent after it began and before the pause that followed it ended.
func (s *rateSearch) ofLast(sent time.Time) bool {
	return !s.last.start.IsZero() && !sent.Before(s.last.start) && sent.Before(s.lastGate)
}

// settle derives the limit, and the rate after the pause, from the
// stretches that ended in a 429. A late answer calls it again for the same
// pause, so it depends on those facts only.
func (s *rateSearch) settle() {
	l := s.last
	if l.inBurst() {
		s.burstMet(l)
		return
	}
	if s.hi == 0 || l.rate < s.hi {
		s.hi = l.rate
	}
	if s.lo >= l.rate {
		s.lo = 0 // what held no longer does
	}
	s.doubt = 0
	s.est, s.kind = s.measure()
	if fell := s.est > 0 && s.est < cutAgree*s.cut.estBefore; fell && s.refined.at.Equal(s.prev.refused) {
		// The limit fell, maybe within the long stretch that put the burst
		// right at the last 429: read at a limit that had already fallen,
		// it made the burst too large. Back to the burst before it.
		s.burst, s.refined = s.refined.from, refinement{}
		s.est, s.kind = s.measure()
	}
	if l.afterCut && s.est < cutAgree*s.cut.estBefore {
		// Begun at a pause cut short, and far under the limit that allowed
		// the cut: the limit fell, and the bucket may not have been full
		// again when the stretch began, which makes it read low.
		s.est = 0
	}
	next, probe := s.after()
	s.set(next, s.gate, probe)
	s.run.trial = s.est > 0 && l.refused.Sub(l.first) < preciseFor
}

// burstMet handles a stretch refused within the client's opening burst:
// the server takes fewer at once than --burst, and what it took is its
// burst (B − 1 = c, were it a token bucket). Its rate was not tried: the
// same rate goes on after the pause, spaced, so that the next refusal
// measures it given c. Sends stay spaced for the rest of the run, since a
// burst the server refuses would meet a 429 at the end of every pause.
func (s *rateSearch) burstMet(l stretch) {
	s.atOnce = 1
	s.burst = float64(l.accepted - 1)
	s.set(l.rate, s.gate, true)
}

// notWindow forgets a limiter of one-second windows that a second accepted
// beyond its quota disproved: a bucket sent at far above its rate refuses
// after its burst whatever the rate, which looks like a window's quota.
func (s *rateSearch) notWindow() {
	s.kind, s.est, s.checked = kindUnknown, 0, false
	s.seconds.forget()
}

// bucketLike reports whether a token bucket refilled at more than q a
// second could have refused the last two stretches after the same count:
// it could when they lasted so nearly as long that it refilled under two
// tokens more in one than in the other (a bucket sent at far above its
// rate, which refuses after its burst whatever the rate). A window's quota
// met at rates far apart is met after times far apart.
func (s *rateSearch) bucketLike(q int) bool {
	d := s.last.refused.Sub(s.last.first) - s.prev.refused.Sub(s.prev.first)
	return float64(q)*math.Abs(d.Seconds()) <= 2
}

// measure returns the limit the stretches tell, and what kind of limiter
// told it; 0 when they tell none.
func (s *rateSearch) measure() (float64, limiterKind) {
	if q, ok := s.seconds.quota(); ok {
		s.checked = !s.bucketLike(q)
		return float64(q), kindWindow
	}
	if s.kind == kindWindow {
		return float64(s.seconds.last()), kindWindow
	}
	// Once the burst is known, a 429 after a rate that held may be a limit
	// that fell within the stretch: only two probes fit the burst again.
	refit := s.burst < 0 || (s.prev.probe && s.last.probe)
	if refit && !s.prev.refused.IsZero() && !s.prev.inBurst() && s.last.start.Sub(s.prev.refused) <= pairWithin {
		if c, l, ok := fitBucket(s.prev, s.last); ok {
			// A bucket holds whole tokens: c rounded is exact, and the
			// stretch alone then tells L to within one send in it.
			s.burst = math.Round(c)
			if exact, ok := s.last.limitGiven(s.burst); ok {
				l = exact
			}
			s.doubt = s.last.doubtAt(l)
			return l, kindBucket
		}
	}
	if s.burst >= 0 {
		if l, ok := s.last.limitGiven(s.burst); ok {
			s.refineBurst(l)
			return l, kindBucket
		}
	}
	return 0, s.kind
}

// preciseFor is how long a stretch must last for the rate it measures to
// hardly depend on the burst: one token more or less moves it by 1/τ.
const preciseFor = time.Second

// refineWithin bounds the time from a probe to the end of the long
// stretch after it for refineBurst: a limit that fell within the stretch
// would look the same, and is less likely the sooner it ended.
const refineWithin = 5 * time.Second

// refineBurst re-derives the burst from the short probe before a long
// stretch that measured the rate l closely. The first fit leans on a
// stretch sent far above the limit, whose count is the least sure: the
// token that decides its last send is often a fraction. Only a burst the
// probe tells without doubt is taken (stretch.burstGiven).
func (s *rateSearch) refineBurst(l float64) {
	p := s.prev
	if s.last.refused.Sub(s.last.first) < preciseFor || !p.probe || p.refused.Sub(p.first) >= preciseFor ||
		s.last.refused.Sub(p.refused) > refineWithin {
		return
	}
	if c, ok := p.burstGiven(l); ok && c != s.burst {
		s.refined = refinement{at: s.last.refused, from: s.burst}
		s.burst = c
	}
}

// refinement is the last change refineBurst made: the 429 it was made at,
// and the burst before it.
type refinement struct {
	at   time.Time
	from float64
}

// after returns the rate after a 429, and whether it is a guess (a probe).
func (s *rateSearch) after() (float64, bool) {
	l := s.last
	floor := l.cycleRate() * estimateShare
	switch {
	case s.est > 0:
		return under(s.est, estimateShare), false
	case s.prev.refused.IsZero() && s.burst < 0:
		// The first 429: a stretch that lasted a while was sent near the
		// limit, one over at once far above it (or into a small burst).
		f := min(max(l.refused.Sub(l.first).Seconds()/0.25, 0.25), 0.6)
		return max(l.rate*f, floor), true
	case s.lo > 0:
		return max((s.lo+s.hi)/2, floor), true
	}
	return max(s.hi/2, floor), true
}

// climb raises the rate once it has held for holdFor.
func (s *rateSearch) climb(now time.Time) {
	if now.Before(s.gate) || now.Sub(s.since) < s.holdNeeded() {
		return
	}
	s.lo = max(s.lo, s.cur)
	if s.run.probe && s.est > 0 && s.cur > s.est {
		s.est, s.hi = 0, 0 // above the limit that was measured, and holding: it was raised
	}
	if s.hi > 0 && s.lo >= s.hi {
		s.hi = 0
	}
	if s.cur >= s.cap {
		return
	}
	if next := s.higher(now); next > s.cur {
		s.set(next, now, true)
	}
}

// holdNeeded is how long the current rate must go without a 429 to count
// as safe: holdFor, or, above a measured bucket's limit, twice the time its
// burst lasts there. A probe 5% above a limit of 50/s with a burst of 10
// empties it only after 4 s: held 3 s, it was taken for a raised limit, and
// the rate went half as high again.
func (s *rateSearch) holdNeeded() time.Duration {
	over := s.cur*spacingShare - s.est
	if s.kind != kindBucket || s.burst < 0 || s.est <= 0 || over <= 0 {
		return holdFor
	}
	return max(holdFor, time.Duration(2*(s.burst+1)/over*float64(time.Second)))
}

// higher is the next rate to try once the current one held.
func (s *rateSearch) higher(now time.Time) float64 {
	switch {
	case s.kind == kindWindow && !s.checked:
		// The window's quota may be a bucket's burst: put a few sends more
		// than the quota in a second, soon, once.
		s.checked, s.quiet = true, now
		return max(s.cur*probeStep, under(s.est+windowCheck, 1))
	case s.est > 0 && s.doubt > 0:
		// Fitted from short stretches, the limit may be one send in them
		// low (a burst read a token large): once it held, try there.
		next := under(s.est+s.doubt, estimateShare)
		s.doubt, s.quiet = 0, now
		return next
	case s.est > 0 || (s.hi > 0 && s.hi-s.lo <= 0.02*s.hi):
		// Settled just under the limit: try a little higher now and then.
		if now.Sub(s.quiet) < probeEvery {
			return s.cur
		}
		s.quiet = now
		return s.cur * probeStep
	case s.hi > 0 && s.burst >= 0:
		// The rate that drew the last 429 had held before it: try it again;
		// if it fails now, that stretch measures the limit.
		return under(s.hi, estimateShare)
	case s.hi > 0:
		return (s.lo + s.hi) / 2
	}
	return s.cur * climbStep
}

// heed applies the limit the server states and returns when the next send
// may go, when the answer said none is left.
func (s *rateSearch) heed(rl client.RateLimit, now time.Time) time.Time {
	if r := s.reader.rate(rl, now); r > 0 && math.Abs(r-s.stated) > 0.01*r {
		// A new statement: what was found without it no longer applies.
		s.stated, s.cap = r, min(s.target, under(r, statedShare))
		s.lo, s.hi, s.est = 0, 0, 0
		s.set(s.cap, maxTime(now, s.gate), false)
	}
	hold := exhausted(rl, now)
	if s.maxWait > 0 && hold.Sub(now) > s.maxWait {
		// Longer than the run may wait: the next send meets the 429, and
		// the policy's rule for a long Retry-After stops the run.
		return time.Time{}
	}
	if hold.After(s.gate) {
		// The allowance refills during the wait: a new stretch after it.
		s.gate = hold
		s.set(s.cur, hold, s.run.probe)
	}
	return hold
}

// windowCheck is how many sends over a window's quota its early probe puts
// in a second: more than the one a second may hold by jitter.
const windowCheck = 3

// sendBurst is how many sends the pacer may let go at once.
func (s *rateSearch) sendBurst() int { return s.atOnce }

// catchUp is how many spaced sends the pacer may let catch up at once.
func (s *rateSearch) catchUp() int {
	if s.oneAtATime {
		return 1
	}
	return defaultCatchUp
}

// finding is what the search has found, for the log: it changes only when
// the rate or what is known of the server's limit does.
type finding struct {
	rate, stated, limit float64
	kind                limiterKind
}

// episode describes the stretch that last ended in a 429, for the debug
// log: the sends it had accepted, over how long, and the burst known.
func (s *rateSearch) episode() (accepted int, span time.Duration, burst float64) {
	return s.last.accepted, s.last.refused.Sub(s.last.first), s.burst
}

func (s *rateSearch) finding() finding {
	return finding{rate: s.cur, stated: s.stated, limit: math.Round(s.est), kind: s.kind}
}

// set makes r the rate from at on, and starts a new stretch there.
func (s *rateSearch) set(r float64, at time.Time, probe bool) {
	s.cur = min(max(r, minRate), s.cap)
	s.since = at
	s.run = stretch{rate: s.cur, start: at, probe: probe, atOnce: s.atOnce}
}

// under is the rate to hand the pacer for sends at share of limit l: the
// pacer spaces sends a little under the rate it is given, and the share
// already leaves the margin a limit needs.
func under(l, share float64) float64 { return l * share / spacingShare }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
