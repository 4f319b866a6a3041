package importer

import (
	"sync"
	"time"
)

// health watches whether the API answers at all. A server that is down, or
// a proxy that answers 5xx for everything, would otherwise cost every row
// its full retry budget: after streakLimit failures in a row, or failures
// only for streakTime, the run stops instead.
type health struct {
	mu     sync.Mutex
	streak int
	since  time.Time // when the streak began
	last   string    // the last failure, for the message
}

// The bounds of a failure streak that stops a run.
const (
	streakLimit = 10
	streakTime  = 30 * time.Second
	// waveSize is the streak at which a wave of retries is logged, once.
	waveSize = 3
)

// observe records one request at now: failing (a 5xx or a transport
// error), answered (any other HTTP answer, which ends a streak), or
// neither (a 429). It reports whether the streak now stops the run, and
// whether it just became a wave worth one log line.
func (h *health) observe(failing, answered bool, what string, now time.Time) (stop, wave bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case answered:
		h.streak = 0
		return false, false
	case !failing:
		return false, false
	}
	if h.streak == 0 {
		h.since = now
	}
	h.streak++
	h.last = what
	return h.streak >= streakLimit || now.Sub(h.since) >= streakTime, h.streak == waveSize
}

// describe says what the streak was, for the stop message.
func (h *health) describe(now time.Time) (int, time.Duration, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.streak, now.Sub(h.since), h.last
}
