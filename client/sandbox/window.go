package sandbox

import "time"

// window is one key's fixed-window counter: at most p.quota() requests in
// each window of length p.window, windows starting at multiples of it on
// the emulator's clock (Unix time).
type window struct {
	start time.Time
	used  int
}

// settle does nothing: a window's count does not depend on the rate it was
// taken under, and a new quota applies to the window in progress at once.
func (w *window) settle(time.Time, policy) {}

// take counts a request in the window holding now if the quota allows it.
// Its reset is the time until the next window, when a refused request may
// retry.
func (w *window) take(now time.Time, p policy) quota {
	into := time.Duration(now.UnixNano() % int64(p.window))
	if into < 0 {
		into += p.window
	}
	// Round(0) drops the monotonic reading, which Equal would compare: the
	// start of one window taken from two readings of the clock can differ
	// in it by the nanoseconds between reading the wall and monotonic clocks.
	start := now.Add(-into).Round(0)
	if !start.Equal(w.start) {
		w.start, w.used = start, 0
	}
	q := p.quota()
	ok := w.used < q
	if ok {
		w.used++
	}
	return quota{allowed: ok, limit: q, period: p.window, remaining: max(0, q-w.used), reset: p.window - into}
}
