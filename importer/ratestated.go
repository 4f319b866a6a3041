package importer

import (
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// statedLimit reads the server's own account of its limit from the
// rate-limit headers of any answer, 2xx included: the IETF draft's
// RateLimit-Policy states a quota and its window; the older
// X-RateLimit-Limit states a quota only, and the window is then taken as
// the longest time to a reset seen so far (a fixed window's reset is at most
// one window away), and one second before any reset is seen.
type statedLimit struct {
	longest time.Duration // the longest time from an answer to its reset
}

// rate returns the requests a second the answer's headers allow, or 0 when
// they state no limit.
func (s *statedLimit) rate(rl client.RateLimit, now time.Time) float64 {
	if rl.Limit <= 0 {
		return 0
	}
	w := rl.Window
	if w <= 0 {
		if !rl.Reset.IsZero() {
			// The trio states its reset in whole seconds: round up, so that
			// the window is never taken shorter than it is.
			s.longest = max(s.longest, rl.Reset.Sub(now).Round(time.Second))
		}
		w = max(s.longest, time.Second)
	}
	return float64(rl.Limit) / w.Seconds()
}

// exhausted reports when the answer said nothing is left until its reset:
// the time to wait for, or zero.
func exhausted(rl client.RateLimit, now time.Time) time.Time {
	if rl.Remaining == 0 && rl.Reset.After(now) {
		return rl.Reset
	}
	return time.Time{}
}
