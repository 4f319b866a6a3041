package sandbox

import (
	"math"
	"time"
)

// bucket is one key's token bucket: it holds up to burst tokens, gains rate
// tokens a second, and each request takes one.
type bucket struct {
	tokens float64
	last   time.Time
}

// settle adds the tokens earned up to now under p, so that a change of
// policy applies only from now on.
func (b *bucket) settle(now time.Time, p policy) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(p.burst), b.tokens+el.Seconds()*p.rate)
		b.last = now
	}
	b.tokens = min(float64(p.burst), b.tokens)
}

// take spends a token if a whole one is there. Its reset is the time until
// the next whole token, which is also when a refused request may retry.
func (b *bucket) take(now time.Time, p policy) quota {
	b.settle(now, p)
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	whole := math.Floor(b.tokens)
	var reset time.Duration
	if whole < float64(p.burst) {
		reset = seconds((whole + 1 - b.tokens) / p.rate)
	}
	return quota{allowed: ok, limit: p.burst, period: seconds(float64(p.burst) / p.rate), remaining: int(whole), reset: reset}
}

// seconds converts a count of seconds to a Duration, rounding up so that a
// wait computed from it is never short.
func seconds(s float64) time.Duration {
	return time.Duration(math.Ceil(s * float64(time.Second)))
}
