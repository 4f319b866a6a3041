package importer

import (
	"sync"
	"time"
)

// health watches whether the API accepts anything at all. A server that is
// down, a proxy that answers 5xx for everything, or a quota spent for the
// day would otherwise cost every row its full retry budget, for hours: after
// streakLimit failures in a row, or nothing accepted for streakTime (429s
// included), the run stops instead.
type health struct {
	mu        sync.Mutex
	failures  int       // 5xx and transport errors since the last answer that was neither
	since     time.Time // the first request since then that was not accepted; zero: none
	throttled int       // 429s among them
	last      string    // the last failure, for the message
}

// The bounds of a streak that stops a run.
const (
	streakLimit = 10
	streakTime  = 30 * time.Second
	// waveSize is the streak at which a wave of retries is logged, once.
	waveSize = 3
)

// observe records one request at now: failing (a 5xx or a transport
// error), throttled (a 429), or else answered. It reports whether the
// streak now stops the run, and whether it just became a wave of failures
// worth one log line.
func (h *health) observe(failing, throttled bool, what string, now time.Time) (stop, wave bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !failing && !throttled {
		h.failures, h.throttled, h.since = 0, 0, time.Time{}
		return false, false
	}
	if h.since.IsZero() {
		h.since = now
	}
	h.last = what
	if throttled {
		h.throttled++
	} else {
		h.failures++
	}
	return h.failures >= streakLimit || now.Sub(h.since) >= streakTime, failing && h.failures == waveSize
}

// describe says what the streak was, for the stop message: how many
// requests, over how long, how many were 429s, and the last failure.
func (h *health) describe(now time.Time) (n, throttled int, d time.Duration, last string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failures + h.throttled, h.throttled, now.Sub(h.since), h.last
}
