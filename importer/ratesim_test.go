package importer

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// simLimiter is a server's rate limiter in the simulation: it admits or
// refuses a request arriving at at, says when a refused one may retry, and
// what rate-limit headers it would send.
type simLimiter interface {
	take(at time.Time) (ok bool, retry time.Duration, rl client.RateLimit)
	set(rate float64)
}

// simBucket is a token bucket like the emulator's.
type simBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
	headers     bool
}

func (b *simBucket) settle(at time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, at
	}
	if d := at.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(b.burst, b.tokens+d*b.rate)
		b.last = at
	}
}

func (b *simBucket) take(at time.Time) (bool, time.Duration, client.RateLimit) {
	b.settle(at)
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	next := time.Duration((math.Floor(b.tokens) + 1 - b.tokens) / b.rate * float64(time.Second))
	rl := client.RateLimit{Remaining: -1}
	if b.headers {
		rl = client.RateLimit{Limit: int(b.rate), Window: time.Second, Remaining: int(b.tokens), Reset: at.Add(time.Second)}
	}
	return ok, wholeSeconds(next), rl
}

func (b *simBucket) set(rate float64) { b.rate = rate }

// simWindow counts fixed windows aligned to the clock, like the emulator's.
type simWindow struct {
	quota  int
	window time.Duration
	start  time.Time
	used   int
}

func (w *simWindow) take(at time.Time) (bool, time.Duration, client.RateLimit) {
	into := time.Duration(at.UnixNano() % int64(w.window))
	if s := at.Add(-into); !s.Equal(w.start) {
		w.start, w.used = s, 0
	}
	ok := w.used < w.quota
	if ok {
		w.used++
	}
	return ok, wholeSeconds(w.window - into), client.RateLimit{Remaining: -1}
}

func (w *simWindow) set(rate float64) { w.quota = int(rate * w.window.Seconds()) }

// simLog is a sliding log: at most quota requests in any window.
type simLog struct {
	quota  int
	window time.Duration
	times  []time.Time
}

func (l *simLog) take(at time.Time) (bool, time.Duration, client.RateLimit) {
	for len(l.times) > 0 && at.Sub(l.times[0]) >= l.window {
		l.times = l.times[1:]
	}
	if len(l.times) < l.quota {
		l.times = append(l.times, at)
		return true, 0, client.RateLimit{Remaining: -1}
	}
	return false, wholeSeconds(l.window - at.Sub(l.times[0])), client.RateLimit{Remaining: -1}
}

func (l *simLog) set(rate float64) { l.quota = int(rate * l.window.Seconds()) }

// wholeSeconds is Retry-After as servers send it: whole seconds, at least one.
func wholeSeconds(d time.Duration) time.Duration {
	return max(time.Second, (d+time.Second-1)/time.Second*time.Second)
}

// simRun is one simulated import: n rows sent through the search against
// lim, spaced as the pacer spaces them, each answered lat after it was
// sent (give or take jitter at the server); a 429 pauses every send for the
// server's wait. A limit change can be scheduled.
type simRun struct {
	lim       simLimiter
	n         int
	target    float64
	burst     int // --burst: sends the client's pacer lets go at once after a quiet spell (0, 1: spaced)
	lat       time.Duration
	jitter    time.Duration // the server sees each request up to this much late
	spread    time.Duration // each answer comes back up to this much later than lat: out of send order
	changeAt  time.Duration // from the start; 0: no change
	changeTo  float64
	phase     time.Duration // the start's offset into a second of the clock
	throttled int
	cut       int        // pauses the search cut short of the server's wait
	pauses    []simPause // every 429's, in order
	trace     func(at time.Time, what string, rate float64)
	start     time.Time
	accepted  []time.Time // when each row's request was accepted, in order
}

type simAnswer struct {
	sent, at time.Time
	ok       bool
	retry    time.Duration
	rl       client.RateLimit
}

// run returns the time from the start to the last row's answer.
func (r *simRun) run() time.Duration {
	start := time.Unix(1_800_000_000, 0).Add(r.phase)
	r.start = start
	s := newRateSearch(r.target, r.burst, 2*time.Minute, start)
	rng := rand.New(rand.NewPCG(1, 2))
	var inflight []simAnswer
	gate, last := start, start.Add(-time.Hour)
	c := simClient{tokens: float64(r.burst), at: start}
	changed := r.changeAt == 0
	for len(r.accepted) < r.n {
		c.burst, c.spaced = s.sendBurst(), s.sendBurst() <= 1
		if c.spaced {
			c.burst = s.catchUp()
		}
		next := c.next(s.cur, gate, last)
		if next.Sub(start) > simGiveUp {
			return simGiveUp // a run that would not end
		}
		if len(inflight) > 0 && !inflight[0].at.After(next) {
			a := inflight[0]
			inflight = inflight[1:]
			gate = r.answer(s, a, gate)
			continue
		}
		if !changed && next.Sub(start) >= r.changeAt {
			r.lim.set(r.changeTo)
			changed = true
		}
		arrive := next
		if r.jitter > 0 {
			arrive = arrive.Add(time.Duration(rng.Int64N(int64(r.jitter))))
		}
		ok, retry, rl := r.lim.take(arrive)
		back := arrive.Add(r.lat)
		if r.spread > 0 {
			back = back.Add(time.Duration(rng.Int64N(int64(r.spread))))
		}
		inflight = insertByTime(inflight, simAnswer{sent: next, at: back, ok: ok, retry: retry, rl: rl})
		last = next
		c.take(s.cur, next)
	}
	return r.accepted[len(r.accepted)-1].Sub(start) + r.lat
}

// simGiveUp ends a simulated run that has not ended by then.
const simGiveUp = 10 * time.Minute

// simClient is the client's pacer: a token bucket of burst filled at the
// rate or, spaced, of the pacer's catch-up filled a little under the rate.
type simClient struct {
	burst  int
	spaced bool
	tokens float64
	at     time.Time
}

// fill is the rate the bucket fills at.
func (c *simClient) fill(rate float64) float64 {
	if c.spaced {
		return rate * spacingShare
	}
	return rate
}

// next is when the next send may go: after last, and not before the gate.
func (c *simClient) next(rate float64, gate, last time.Time) time.Time {
	t := maxTime(gate, last)
	if tok := c.held(rate, t); tok < 1 {
		t = t.Add(time.Duration((1 - tok) / c.fill(rate) * float64(time.Second)))
	}
	return t
}

// held is the tokens the bucket holds at t.
func (c *simClient) held(rate float64, t time.Time) float64 {
	return min(float64(c.burst), c.tokens+t.Sub(c.at).Seconds()*c.fill(rate))
}

// take spends a token on a send at t.
func (c *simClient) take(rate float64, t time.Time) {
	c.tokens, c.at = c.held(rate, t)-1, t
}

// answer feeds one answer to the search as the run does, and returns the
// gate after it.
func (r *simRun) answer(s *rateSearch, a simAnswer, gate time.Time) time.Time {
	ans := observation{sent: a.sent, at: a.at, throttled: !a.ok, limit: a.rl}
	if a.ok {
		r.accepted = append(r.accepted, a.sent)
	} else {
		r.throttled++
		ans.pauseUntil = maxTime(gate, a.at.Add(a.retry))
	}
	before := s.cur
	_, hold := s.observe(ans)
	if !a.ok {
		cut := !s.cut.cutTo.IsZero() && hold.Before(ans.pauseUntil)
		if cut {
			r.cut++
		}
		r.pauses = append(r.pauses, simPause{at: a.at, cut: cut})
	}
	if r.trace != nil && (s.cur != before || !a.ok) {
		what := "ok"
		if !a.ok {
			what = "429"
		}
		r.trace(a.at, what+" "+s.kind.String(), s.cur)
	}
	return maxTime(gate, hold)
}

// rateAfter returns the rows a second accepted from d after the start to
// the end.
func (r *simRun) rateAfter(d time.Duration) float64 {
	from := r.start.Add(d)
	n := 0
	for _, at := range r.accepted {
		if !at.Before(from) {
			n++
		}
	}
	return float64(n) / r.accepted[len(r.accepted)-1].Sub(from).Seconds()
}

// insertByTime adds a to answers, kept in the order they come back.
func insertByTime(answers []simAnswer, a simAnswer) []simAnswer {
	i := len(answers)
	for i > 0 && answers[i-1].at.After(a.at) {
		i--
	}
	answers = append(answers, simAnswer{})
	copy(answers[i+1:], answers[i:])
	answers[i] = a
	return answers
}

// simStrict is a bucket behind a server that keeps its Retry-After to the
// letter: after a refusal it refuses everything until the wait it gave has
// passed, whatever the bucket holds.
type simStrict struct {
	simBucket
	until time.Time
}

func (s *simStrict) take(at time.Time) (bool, time.Duration, client.RateLimit) {
	if at.Before(s.until) {
		return false, wholeSeconds(s.until.Sub(at)), client.RateLimit{Remaining: -1}
	}
	ok, retry, rl := s.simBucket.take(at)
	if !ok {
		s.until = at.Add(retry)
	}
	return ok, retry, rl
}

// simPause is the pause after one 429: when it came, and whether the
// search cut it short.
type simPause struct {
	at  time.Time
	cut bool
}
