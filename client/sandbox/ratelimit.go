package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// defaultBurst is the bucket size when none is given: small, so that a
// client meets the limit early, as it would against a strict API.
const defaultBurst = 10

// policy is the limit in force: rate requests a second per key, from a
// bucket of burst tokens or, when window is set, in fixed windows of rate ×
// window requests.
type policy struct {
	rate   float64
	burst  int
	window time.Duration
}

// quota returns how many requests one fixed window allows: at least one,
// so that a tiny rate slows a client down rather than locking it out.
func (p policy) quota() int {
	// The epsilon keeps 0.29 × 100 s from flooring to 28.
	return max(1, int(math.Floor(p.rate*p.window.Seconds()+1e-9)))
}

// quota is what checking one request found: whether it may pass, and what
// the rate-limit headers report about the key's allowance.
type quota struct {
	allowed   bool
	limit     int           // requests a full allowance holds
	period    time.Duration // time over which limit is granted
	remaining int           // requests left now
	reset     time.Duration // until the next token or window, when a refused request may retry
}

// meter is one key's count under the policy: a bucket or a window.
type meter interface {
	take(now time.Time, p policy) quota
	settle(now time.Time, p policy)
}

// limiter keeps a meter per API key, as the real API limits each key on its
// own. Its policy can change while it runs, for every key at once.
type limiter struct {
	now     func() time.Time
	headers bool
	ans     *answers

	mu     sync.Mutex
	policy policy
	meters map[string]meter
}

func newLimiter(cfg Config, now func() time.Time, ans *answers) *limiter {
	l := &limiter{now: now, headers: cfg.RateHeaders, ans: ans, meters: make(map[string]meter)}
	l.policy = policy{rate: cfg.Rate, burst: burstFor(cfg.Rate, cfg.Burst), window: cfg.Window}
	return l
}

// burstFor returns burst, or the default for rate when burst is not set:
// ten, or the rate when it is lower.
func burstFor(rate float64, burst int) int {
	if burst > 0 {
		return burst
	}
	return min(defaultBurst, max(1, int(math.Ceil(rate))))
}

// set changes the rate and burst for every key from now on. Tokens already
// earned are kept, up to the new burst (take caps them).
func (l *limiter) set(rate float64, burst int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.meters {
		m.settle(now, l.policy)
	}
	l.policy.rate, l.policy.burst = rate, burstFor(rate, burst)
}

func (l *limiter) current() policy {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.policy
}

// take checks one request with key. It reports false for limited when no
// limit is set.
func (l *limiter) take(key string, now time.Time) (q quota, rate float64, limited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.policy
	if p.rate <= 0 {
		return quota{}, 0, false
	}
	m, ok := l.meters[key]
	if !ok {
		if p.window > 0 {
			m = &window{}
		} else {
			m = &bucket{tokens: float64(p.burst), last: now}
		}
		l.meters[key] = m
	}
	return m.take(now, p), p.rate, true
}

// enforce is middleware that refuses a request over its key's limit with a
// 429 and Retry-After. With headers on, every answer it lets through
// carries the key's allowance too.
func (l *limiter) enforce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := l.now()
		q, rate, limited := l.take(r.Header.Get("Authorization"), now)
		if !limited {
			next.ServeHTTP(w, r)
			return
		}
		if l.headers {
			writeRateHeaders(w.Header(), q, rate, now)
		}
		if !q.allowed {
			w.Header().Set("Retry-After", strconv.FormatInt(max(1, ceilSeconds(q.reset)), 10))
			l.ans.problem(w, http.StatusTooManyRequests, client.TypeRateLimit, "Too many requests: slow down and retry after the time in Retry-After.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeRateHeaders sets the de facto X-RateLimit-* headers and the IETF
// draft's RateLimit-Policy and RateLimit from q. A bucket's policy is
// given as a full bucket per the time it takes to fill; the draft's window
// is whole seconds, so when that time is shorter the quota is what the
// rate grants over the whole seconds. Either way the policy never promises
// more than the rate.
func writeRateHeaders(h http.Header, q quota, rate float64, now time.Time) {
	resetAt := now.Add(q.reset)
	unix := resetAt.Unix()
	if resetAt.Nanosecond() > 0 {
		unix++
	}
	w := max(1, ceilSeconds(q.period))
	h.Set("X-RateLimit-Limit", strconv.FormatFloat(rate, 'f', -1, 64))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(q.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(unix, 10))
	h.Set("RateLimit-Policy", fmt.Sprintf(`"default";q=%d;w=%d`, max(q.limit, int(math.Floor(rate*float64(w)+1e-9))), w))
	h.Set("RateLimit", fmt.Sprintf(`"default";r=%d;t=%d`, q.remaining, ceilSeconds(q.reset)))
}

// ceilSeconds returns d in whole seconds, rounded up.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}
