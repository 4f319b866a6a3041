package sandbox

import (
	"net/http"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// Config sets the emulator's limits and faults. The zero value is a
// well-behaved API with no rate limit.
type Config struct {
	Rate        float64       // requests per second per key; 0 means no limit
	Burst       int           // bucket size; 0 means 10, or the rate when it is lower
	Window      time.Duration // when set, a fixed window of Rate × Window requests replaces the bucket
	RateHeaders bool          // send X-RateLimit-*, RateLimit-Policy and RateLimit on every answer under a limit, not only 429s
	Latency     time.Duration // added before every answer
	FailRate    float64       // probability of a 500/502/503 answer
	ResetRate   float64       // probability the connection is dropped before anything is done
	LostRate    float64       // probability a create succeeds and its answer is lost
	Seed        uint64        // seeds the fault draws
	MaxBody     int64         // largest accepted body; 0 means 64 KiB
	Lean        bool          // keep only what conflicts and look-ups need
	Trace       bool          // record each request's arrival time (see MaxInWindow)
	// Reject adds rules only the server knows (a blocked domain, say), so
	// that tests can meet a 422 that local validation cannot foresee.
	Reject func(client.CreateCustomerRequest) []client.FieldError
	Now    func() time.Time
}

// Server is the emulator. It implements http.Handler and serves the API
// under any path prefix: /customers and /anything/customers both work.
type Server struct {
	now    func() time.Time
	store  *store
	ans    *answers
	limits *limiter
	faults *faults
	trace  *trace
	api    http.Handler
}

// New returns an emulator configured by cfg.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ans := newAnswers()
	s := &Server{
		now:    now,
		store:  newStore(cfg.Lean),
		ans:    ans,
		limits: newLimiter(cfg, now, ans),
		faults: newFaults(cfg, ans),
		trace:  &trace{now: now},
	}
	// The order is the API's: a network fault or delay first, then the
	// key, its rate limit, the application's own failures, the operation.
	var h http.Handler = &customers{store: s.store, ans: ans, now: now, maxBody: cfg.MaxBody, reject: cfg.Reject}
	for _, mw := range []func(http.Handler) http.Handler{s.faults.serverErrors, s.limits.enforce, authenticate(ans), s.faults.inject, s.route} {
		h = mw(h)
	}
	if cfg.Trace {
		h = s.trace.record(h)
	}
	s.api = h
	return s
}

// ServeHTTP serves the API, and the emulator's own LimitPath.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == LimitPath {
		s.serveLimit(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// route is middleware that answers 404 for a path outside the customers
// API, before any fault, key or limit applies.
func (s *Server) route(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := endpointOf(r); !ok {
			s.ans.problem(w, http.StatusNotFound, client.TypeNotFound, "no such endpoint", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SetLimit changes the rate limit for every key at once: rate requests a
// second (0 lifts the limit) and the bucket's burst (0 for the default).
// Under a fixed window the window stays and its quota follows the rate.
// It is safe to call while the emulator serves.
func (s *Server) SetLimit(rate float64, burst int) {
	s.limits.set(rate, burst)
}

// Limit returns the rate limit in force and the burst it allows.
func (s *Server) Limit() (rate float64, burst int) {
	p := s.limits.current()
	return p.rate, p.burst
}

// Customer returns the customer created with externalID, if any.
func (s *Server) Customer(externalID string) (client.Customer, bool) {
	return s.store.get(externalID)
}

// Preload creates customers directly, as if an earlier import had run.
func (s *Server) Preload(reqs ...client.CreateCustomerRequest) {
	for _, r := range reqs {
		s.store.create(client.Normalize(r), s.now())
	}
}

// MaxInWindow returns the largest number of requests that arrived within any
// window of length d. It needs Config.Trace.
func (s *Server) MaxInWindow(d time.Duration) int {
	return s.trace.maxInWindow(d)
}

// CreatedWithEmail counts the customers created with email, so that tests
// can tell a customer created twice (which the API would allow: only
// external_id is unique). Config.Lean keeps no emails: it answers 0.
func (s *Server) CreatedWithEmail(email string) int { return s.store.withEmail(email) }
