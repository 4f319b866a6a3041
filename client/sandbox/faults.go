package sandbox

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// fault is what the emulator does to one request instead of, or after,
// answering it honestly.
type fault int

const (
	faultNone  fault = iota
	faultReset       // drop the connection before doing anything
	fault5xx         // answer 500, 502 or 503 without doing anything
	faultLost        // create the customer, then drop the connection
)

// faults draws faults from one seeded source, so a run with the same seed
// and the same request order meets the same faults.
type faults struct {
	latency           time.Duration
	reset, fail, lost float64
	ans               *answers

	mu                            sync.Mutex
	rng                           *rand.Rand
	resets, failures, lostAnswers int
}

func newFaults(cfg Config, ans *answers) *faults {
	return &faults{
		latency: cfg.Latency, reset: cfg.ResetRate, fail: cfg.FailRate, lost: cfg.LostRate, ans: ans,
		rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
	}
}

// outcome is the fault drawn for one request and, for a 5xx, its status.
type outcome struct {
	kind   fault
	status int
}

// drawKey is the context key under which inject leaves a request's outcome for
// the handlers after it.
type drawKey struct{}

// drawnFor returns the outcome inject drew for the request with ctx.
func drawnFor(ctx context.Context) outcome {
	d, _ := ctx.Value(drawKey{}).(outcome)
	return d
}

// inject is middleware that draws the request's fault first, before auth
// and limits as a network or proxy would: a reset drops the connection at
// once, latency delays everything after it. Other faults act later (serverErrors,
// and the create handler for lost answers).
func (f *faults) inject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		collection, _, _ := endpointOf(r)
		d := f.draw(collection && r.Method == http.MethodPost)
		if d.kind == faultReset {
			drop(w)
			return
		}
		if f.latency > 0 && !sleep(r.Context(), f.latency) {
			return
		}
		if d.kind != faultNone {
			r = r.WithContext(context.WithValue(r.Context(), drawKey{}, d))
		}
		next.ServeHTTP(w, r)
	})
}

// serverErrors is middleware that answers the 5xx drawn for the request. It
// sits after auth and the rate limit: the application fails, not the door.
func (f *faults) serverErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := drawnFor(r.Context())
		switch {
		case d.kind != fault5xx:
			next.ServeHTTP(w, r)
		case d.status == http.StatusBadGateway:
			f.ans.page(w, d.status, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
		default:
			f.ans.problem(w, d.status, client.TypeAPI, "The server failed to handle the request; it was not processed.", nil)
		}
	})
}

// draw picks the fault for the next request; every request consumes the same
// three draws, which keeps a seeded sequence stable when rates change.
func (f *faults) draw(create bool) outcome {
	if f.reset == 0 && f.fail == 0 && f.lost == 0 {
		return outcome{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, b, c := f.rng.Float64(), f.rng.Float64(), f.rng.Float64()
	switch {
	case a < f.reset:
		f.resets++
		return outcome{kind: faultReset}
	case b < f.fail:
		f.failures++
		// Spread failures over the answers a real deployment gives: the
		// application's 500, a proxy's 502 page, an overloaded 503.
		return outcome{kind: fault5xx, status: [...]int{500, 502, 503}[int(b/f.fail*3)%3]}
	case create && c < f.lost:
		f.lostAnswers++
		return outcome{kind: faultLost}
	}
	return outcome{}
}

// counts returns how many resets, injected failures and lost answers the
// faults have caused.
func (f *faults) counts() (resets, failures, lost int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resets, f.failures, f.lostAnswers
}

// drop closes the connection with no answer, as a crashed proxy or a network
// cut would. A TCP reset makes the client see it at once.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// sleep waits d unless ctx ends first; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
