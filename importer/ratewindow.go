package importer

import (
	"math"
	"time"
)

// secondCounts recognises a limiter of fixed one-second windows. Such a
// limiter refuses a send only once the second it arrived in has accepted its
// whole quota, so every second that holds a refusal holds the same number of
// accepted sends, whatever the rate they were sent at; the seconds in which
// a token bucket refuses hold counts that change with the rate. Windows are
// taken to start on whole seconds of the clock, as limiters keyed by the
// Unix time do, and sends to arrive within the second they were sent in.
type secondCounts struct {
	bins  [countedSeconds]secondCount
	marks [2]secondMark // the last two seconds that held a refusal, newest last
}

// countedSeconds is how many recent seconds are counted: enough for every
// answer in flight to come back to its second.
const countedSeconds = 8

type secondCount struct {
	sec int64
	n   int
}

type secondMark struct {
	sec  int64
	n    int     // sends accepted in that second
	rate float64 // the rate they were sent at
}

// accept counts a send that was answered with anything but 429.
func (c *secondCounts) accept(sent time.Time) {
	sec := sent.Unix()
	b := &c.bins[sec%countedSeconds]
	if b.sec != sec {
		*b = secondCount{sec: sec}
	}
	b.n++
	for i := range c.marks {
		if c.marks[i].sec == sec {
			c.marks[i].n++
		}
	}
}

// refuse marks the second of a send refused with 429 while sending at rate.
func (c *secondCounts) refuse(sent time.Time, rate float64) {
	sec := sent.Unix()
	if c.marks[1].sec == sec {
		return
	}
	c.marks[0], c.marks[1] = c.marks[1], secondMark{sec: sec, n: c.count(sent), rate: rate}
}

// count returns the sends accepted in the second of sent.
func (c *secondCounts) count(sent time.Time) int {
	sec := sent.Unix()
	if b := c.bins[sec%countedSeconds]; b.sec == sec {
		return b.n
	}
	return 0
}

// forget drops the seconds that held a refusal: a quota they told was
// disproved, and only new ones may tell another.
func (c *secondCounts) forget() { c.marks = [2]secondMark{} }

// quota returns the one-second quota when the last two seconds that held a
// refusal, at rates at least 15% apart, accepted the same number of sends
// (give or take one, for a send that arrived in the next second), and no
// second counted from the first of them on accepted more.
func (c *secondCounts) quota() (int, bool) {
	a, b := c.marks[0], c.marks[1]
	if a.sec == 0 || a.n < 3 || math.Abs(a.rate-b.rate) < 0.15*max(a.rate, b.rate) {
		return 0, false
	}
	if d := a.n - b.n; d < -1 || d > 1 {
		return 0, false
	}
	q := min(a.n, b.n)
	if c.acceptedOver(a.sec, q+1) {
		return 0, false
	}
	return q, true
}

// acceptedOver reports whether a second counted from sec on accepted more
// than n sends: no window of a quota under n would have. (A bucket refused
// at two rates after the same count by chance: 18 sends at 196/s, then 18
// in the second a stretch at 111/s ran into, after 64 in the one before.)
func (c *secondCounts) acceptedOver(sec int64, n int) bool {
	for _, b := range c.bins {
		if b.sec >= sec && b.n > n {
			return true
		}
	}
	return false
}

// last returns the count of the newest second that held a refusal: the
// quota, once the limiter is known to count in one-second windows.
func (c *secondCounts) last() int { return c.marks[1].n }
