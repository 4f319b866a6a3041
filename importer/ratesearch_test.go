package importer

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }
func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

func within(got, want, share float64) bool { return math.Abs(got-want) <= share*want }

// TestRateSearchFindsLimits runs imports through the search on a fake
// clock against simulated limiters (simRun): sends spaced at the rate the
// search gives (two at once after a pause, as the pacer lets them catch
// up), answers after a latency, a 429 pausing every send for the server's
// Retry-After unless the search cuts it short. The bounds are what the
// search reaches; the halving search it replaced took 26.7 s and 7 429s on
// the first case.
func TestRateSearchFindsLimits(t *testing.T) {
	ms := time.Millisecond
	bucket := func(rate, burst float64) *simBucket { return &simBucket{rate: rate, burst: burst} }
	window := func(quota int, w time.Duration) *simWindow { return &simWindow{quota: quota, window: w} }
	tests := []struct {
		name    string
		run     simRun
		maxTime time.Duration // to the last row
		max429  int
	}{
		// Two 429s: the second measures the bucket, and its pause is cut
		// short (kept a whole second, the run took 22.15 s).
		{"bucket 200/s burst 10, --rate 1000: the ideal is 20 s", simRun{lim: bucket(200, 10), n: 4000, target: 1000, lat: ms}, 21500 * ms, 2},
		{"the same, arrivals jittered and answers out of order", simRun{lim: bucket(200, 10), n: 4000, target: 1000, lat: ms, jitter: ms, spread: 3 * ms}, 22500 * ms, 6},
		{"the same with rate-limit headers: no 429 at all", simRun{lim: &simBucket{rate: 200, burst: 10, headers: true}, n: 4000, target: 1000, lat: ms}, 20500 * ms, 0},
		// The opening sends, out before the first answer states the limit,
		// empty the bucket and meet 429s: they are not refusals of the
		// stated rate (counted as such, the run took 96 s).
		{"with headers, 20 ms latency", simRun{lim: &simBucket{rate: 200, burst: 10, headers: true}, n: 4000, target: 1000, lat: 20 * ms, jitter: ms, spread: 3 * ms}, 21500 * ms, 10},
		{"a burst of a whole second", simRun{lim: bucket(200, 200), n: 4000, target: 1000, lat: ms}, 21 * time.Second, 2},
		{"--rate just above the limit", simRun{lim: bucket(200, 10), n: 4000, target: 250, lat: ms}, 23 * time.Second, 2},
		{"--rate twice the limit", simRun{lim: bucket(500, 10), n: 10000, target: 1000, lat: ms}, 24500 * ms, 2},
		// Since the pacer's catch-up pair is simulated: 23.7 s, 4 429s.
		{"--rate twenty times the limit", simRun{lim: bucket(50, 10), n: 1000, target: 1000, lat: ms}, 24 * time.Second, 4},
		{"a burst of one: the search halves", simRun{lim: bucket(7, 1), n: 140, target: 1000, lat: ms}, 31 * time.Second, 9},
		// The pacer's catch-up pair after every pause meets a 429 unless
		// the run then sends one at a time (a run that never ended).
		{"a burst of one at 200/s", simRun{lim: bucket(200, 1), n: 2000, target: 1000, lat: ms}, 17 * time.Second, 6},
		{"fixed windows of a second, starting 0.1 s into one", simRun{lim: window(200, time.Second), n: 4000, target: 1000, lat: ms, phase: 100 * ms}, 21500 * ms, 2},
		{"fixed windows of a second, starting 0.9 s into one", simRun{lim: window(200, time.Second), n: 4000, target: 1000, lat: ms, phase: 900 * ms}, 21500 * ms, 2},
		{"fixed windows, jittered and out of order", simRun{lim: window(200, time.Second), n: 4000, target: 1000, lat: ms, jitter: ms, spread: 3 * ms, phase: 300 * ms}, 21500 * ms, 6},
		{"fixed windows of a minute: each window's quota at once", simRun{lim: window(12000, time.Minute), n: 40000, target: 1000, lat: ms, phase: 5 * time.Second}, 200 * time.Second, 3},
		// --burst above the server's: the opening burst draws a 429 for each
		// send past 10, which tells the server's burst; not windows of 10.
		{"bucket 50/s burst 10, client burst 15: the ideal is 20 s", simRun{lim: bucket(50, 10), n: 1000, target: 100, burst: 15, lat: ms}, 22500 * ms, 5 + 2},
		{"the same with client burst 20", simRun{lim: bucket(50, 10), n: 1000, target: 100, burst: 20, lat: ms}, 22500 * ms, 10 + 2},
		{"fixed windows of a second, client burst 15", simRun{lim: window(200, time.Second), n: 4000, target: 1000, burst: 15, lat: ms, phase: 300 * ms}, 21500 * ms, 2},
		{"a sliding log of 200 a second", simRun{lim: &simLog{quota: 200, window: time.Second}, n: 4000, target: 1000, lat: ms}, 21500 * ms, 2},
		// A server that refuses all until its Retry-After has passed: one
		// cut pause meets a 429, and every pause is kept whole after it.
		{"a bucket that keeps Retry-After to the letter", simRun{lim: &simStrict{simBucket: *bucket(200, 10)}, n: 4000, target: 1000, lat: ms}, 24500 * ms, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took := tt.run.run()
			t.Logf("%v, %d 429s, %d pauses cut short", took.Round(ms), tt.run.throttled, tt.run.cut)
			if took > tt.maxTime || tt.run.throttled > tt.max429 {
				t.Errorf("%d rows in %v with %d 429s, want at most %v and %d", tt.run.n, took.Round(ms), tt.run.throttled, tt.maxTime, tt.max429)
			}
		})
	}
}

// TestRateSearchFollowsChanges: a limit that falls is followed within a
// few seconds, one that rises is found again within a minute.
func TestRateSearchFollowsChanges(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		from  float64 // the limit before the change, 12 s into the run
		run   simRun
		after time.Duration // from the change
		want  float64       // rows a second from then to the end, at least
	}{
		{"200/s falls to 100/s", 200, simRun{n: 4000, changeTo: 100}, 3 * time.Second, 95},
		{"the same, jittered and out of order", 200, simRun{n: 4000, changeTo: 100, jitter: ms, spread: 3 * ms}, 3 * time.Second, 95},
		{"200/s falls to 150/s", 200, simRun{n: 4000, changeTo: 150}, 5 * time.Second, 142},
		// A probe 5% above 50/s empties a burst of 10 only after 4 s: it
		// must not be taken for a raised limit when it has held 3 s.
		{"200/s falls to 50/s, probed above every 40 s", 200, simRun{n: 4000, changeTo: 50, changeAt: 2 * time.Second, jitter: ms, spread: 3 * ms}, 5 * time.Second, 48},
		{"200/s falls to 50/s 2 s after it was found", 200, simRun{n: 2000, changeTo: 50, changeAt: 4200 * time.Millisecond}, 3 * time.Second, 47},
		{"100/s rises to 200/s", 100, simRun{n: 16000, changeTo: 200}, time.Minute, 190},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run
			r.lim = &simBucket{rate: tt.from, burst: 10}
			r.target, r.lat = 1000, ms
			if r.changeAt == 0 {
				r.changeAt = 12 * time.Second
			}
			r.run()
			if got := r.rateAfter(r.changeAt + tt.after); got < tt.want {
				t.Errorf("%.1f rows/s from %v after the change, want at least %.0f", got, tt.after, tt.want)
			}
			// The 429 of a rate that held (for 10 s here) is no measurement
			// of the search's own: the limit fell, the bucket refills at a
			// rate not yet known, and the server's whole pause is kept. (Two
			// seconds after the limit was found from short stretches, a fall
			// looks like that limit put right: the pause is cut, and the
			// search must still follow.)
			for _, p := range r.pauses {
				if tt.run.changeAt == 0 && tt.run.changeTo < tt.from && !p.at.Before(r.start.Add(r.changeAt)) {
					if p.cut {
						t.Errorf("the first 429 after the change, %v into the run, was cut short", p.at.Sub(r.start))
					}
					break
				}
			}
		})
	}
}

// TestRateSearchDoubtsWindows: a bucket sent at far above its rate refuses
// after its burst at any rate, which reads as one-second windows of about
// 10. The rate must not stay under that quota until the probe 40 s later:
// the early probe puts more than the quota in a second, and a second
// accepted beyond it disproves the windows.
func TestRateSearchDoubtsWindows(t *testing.T) {
	for _, rate := range []float64{20, 30, 40} {
		t.Run(fmt.Sprintf("bucket %v/s burst 10", rate), func(t *testing.T) {
			var windows, above time.Duration // first seen as windows; first rate above twice their quota after that
			r := simRun{lim: &simBucket{rate: rate, burst: 10}, n: 1000, target: 1000, lat: time.Millisecond}
			r.trace = func(at time.Time, what string, cur float64) {
				d := at.Sub(r.start)
				if windows == 0 && strings.HasSuffix(what, kindWindow.String()) {
					windows = d
				}
				if windows > 0 && above == 0 && cur > 2*10 {
					above = d
				}
			}
			r.run()
			if windows == 0 {
				t.Fatal("never taken for windows: the test needs the misreading")
			}
			if above == 0 || above-windows > 10*time.Second {
				t.Errorf("taken for windows at %v; the rate went above 20/s at %v, want within 10 s", windows, above)
			}
		})
	}
}

// TestRateSearchStatedLimit: a stated limit caps the rate at the first
// answer that states it; none left holds every send until the reset; a new
// statement replaces the old.
func TestRateSearchStatedLimit(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(1000, 1, 2*time.Minute, c.now())
	stated := func(limit, remaining int) client.RateLimit {
		return client.RateLimit{Limit: limit, Window: time.Second, Remaining: remaining, Reset: c.now().Add(time.Second)}
	}
	if rate, hold := s.observe(observation{sent: c.now(), at: c.now(), limit: stated(200, 9)}); rate != under(200, statedShare) || !hold.IsZero() {
		t.Errorf("after a 2xx stating 200/s: rate %v, hold %v; want %v and none", rate, hold, under(200, statedShare))
	}
	c.add(10 * time.Millisecond)
	if _, hold := s.observe(observation{sent: c.now(), at: c.now(), limit: stated(200, 0)}); !hold.Equal(c.now().Add(time.Second)) {
		t.Errorf("none left: hold %v, want the reset %v", hold, c.now().Add(time.Second))
	}
	c.add(2 * time.Second)
	hourly := client.RateLimit{Limit: 200, Window: time.Second, Remaining: 0, Reset: c.now().Add(time.Hour)}
	if _, hold := s.observe(observation{sent: c.now(), at: c.now(), limit: hourly}); !hold.IsZero() {
		t.Errorf("none left until a reset an hour away: hold %v, want none (longer than --max-wait: the 429 that follows stops the run)", hold)
	}
	if rate, _ := s.observe(observation{sent: c.now(), at: c.now(), limit: stated(100, 50)}); rate != under(100, statedShare) {
		t.Errorf("after the limit fell to 100/s: rate %v, want %v", rate, under(100, statedShare))
	}
	for range 100 { // holding for minutes does not probe above a stated limit
		c.add(time.Second)
		if rate, _ := s.observe(observation{sent: c.now(), at: c.now()}); rate != under(100, statedShare) {
			t.Fatalf("rate %v after a quiet spell under a stated limit, want %v", rate, under(100, statedShare))
		}
	}
}

// TestRateSearchOneCutPerEpisode: 429s for requests sent before the pause
// took effect belong to the same episode, and do not cut the rate again.
func TestRateSearchOneCutPerEpisode(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(100, 1, 2*time.Minute, c.now())
	for range 10 {
		s.observe(observation{sent: c.now(), at: c.now()})
		c.add(10 * time.Millisecond)
	}
	pause := c.now().Add(time.Second)
	first, _ := s.observe(observation{sent: c.now(), at: c.now(), throttled: true, pauseUntil: pause})
	for i := range 5 {
		late := c.now().Add(time.Duration(i+1) * time.Millisecond)
		if got, _ := s.observe(observation{sent: late, at: late, throttled: true, pauseUntil: late.Add(time.Second)}); got != first {
			t.Fatalf("rate %v after a 429 of the same episode, want it left at %v", got, first)
		}
	}
	if first >= 100 {
		t.Errorf("rate %v after the first 429, want under 100", first)
	}
}

// TestRateSearchOrderWithinEpisode: the rate after a pause does not depend
// on whether an answer of the stretch came back before its 429 or during
// the pause (workers report in any order).
func TestRateSearchOrderWithinEpisode(t *testing.T) {
	run := func(lateLast bool) float64 {
		c := newFakeClock()
		s := newRateSearch(1000, 1, 2*time.Minute, c.now())
		s.burst = 9
		start := c.now()
		sends := make([]time.Time, 30)
		for i := range sends {
			sends[i] = start.Add(time.Duration(i) * 5 * time.Millisecond)
		}
		for _, sent := range sends[:28] {
			s.observe(observation{sent: sent, at: sent.Add(time.Millisecond)})
		}
		refusedAt := sends[29].Add(time.Millisecond)
		late := observation{sent: sends[28], at: refusedAt.Add(time.Millisecond)}
		if !lateLast {
			late.at = sends[28].Add(time.Millisecond)
			s.observe(late)
		}
		rate, _ := s.observe(observation{sent: sends[29], at: refusedAt, throttled: true, pauseUntil: refusedAt.Add(time.Second)})
		if lateLast {
			rate, _ = s.observe(late)
		}
		return rate
	}
	if inOrder, late := run(false), run(true); inOrder != late {
		t.Errorf("rate %v when the last success came back before the 429, %v when during the pause", inOrder, late)
	}
}

// TestRateSearchFloor: however often the server says 429, the run moves.
func TestRateSearchFloor(t *testing.T) {
	c := newFakeClock()
	s := newRateSearch(10, 1, 2*time.Minute, c.now())
	for range 40 {
		s.observe(observation{sent: c.now(), at: c.now(), throttled: true, pauseUntil: c.now().Add(time.Second)})
		c.add(time.Second)
	}
	if s.cur < minRate {
		t.Errorf("rate %v fell under the floor %v", s.cur, minRate)
	}
}

func TestStatedLimitRate(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		rls  []client.RateLimit // answers in turn; the last one is checked
		want float64
	}{
		{"no limit stated", []client.RateLimit{{Remaining: 5, Reset: now.Add(time.Second)}}, 0},
		{"policy with a window", []client.RateLimit{{Limit: 600, Window: time.Minute, Remaining: -1}}, 10},
		{"trio without a reset: a second", []client.RateLimit{{Limit: 50, Remaining: 3}}, 50},
		{"trio: the window is the longest time to a reset seen", []client.RateLimit{
			{Limit: 5000, Remaining: 10, Reset: now.Add(3599 * time.Second)}, {Limit: 5000, Remaining: 9, Reset: now.Add(20 * time.Second)}}, 5000.0 / 3599},
		{"trio with a reset under a second", []client.RateLimit{{Limit: 200, Remaining: 9, Reset: now.Add(300 * time.Millisecond)}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s statedLimit
			var got float64
			for _, rl := range tt.rls {
				got = s.rate(rl, now)
			}
			if !within(got, tt.want, 1e-9) {
				t.Errorf("rate %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExhausted(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := now.Add(2 * time.Second)
	tests := []struct {
		name string
		rl   client.RateLimit
		want time.Time
	}{
		{"none left: wait for the reset", client.RateLimit{Remaining: 0, Reset: reset}, reset},
		{"some left", client.RateLimit{Remaining: 1, Reset: reset}, time.Time{}},
		{"remaining unknown", client.RateLimit{Remaining: -1, Reset: reset}, time.Time{}},
		{"a reset already past", client.RateLimit{Remaining: 0, Reset: now.Add(-time.Second)}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exhausted(tt.rl, now); !got.Equal(tt.want) {
				t.Errorf("exhausted = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRateSearchRefinesBurst: the first fit leans on a stretch sent far
// above the limit, whose count can be one short; a long stretch after it
// measures the rate closely whatever the burst, and puts the burst right.
func TestRateSearchRefinesBurst(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	s := newRateSearch(1000, 1, 2*time.Minute, t0)
	first := bucketStretch(10, 200, 1000, t0)
	first.accepted-- // the token that decided its last send was a fraction short
	probe := bucketStretch(10, 200, 250, first.refused.Add(time.Second))
	s.prev, s.last = first, probe
	high, _ := s.measure()
	if s.burst != 8 || high < 203 {
		t.Fatalf("first fit: burst %v, limit %.1f; the test needs it one token short and the limit high", s.burst, high)
	}
	long := bucketStretch(10, 200, under(high, estimateShare), probe.refused.Add(time.Second))
	long.probe = false
	s.prev, s.last = probe, long
	got, _ := s.measure()
	if s.burst != 9 || !within(got, 200, 0.01) {
		t.Errorf("after a long stretch: burst %v, limit %.1f; want 9 and 200", s.burst, got)
	}
}
