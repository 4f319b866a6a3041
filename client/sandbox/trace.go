package sandbox

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// trace records when requests arrive, so that a benchmark can check the
// rate a client really sent at (Server.MaxInWindow).
type trace struct {
	now func() time.Time

	mu       sync.Mutex
	arrivals []time.Time
}

// record is middleware that notes each request's arrival before anything
// else happens to it.
func (t *trace) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := t.now()
		t.mu.Lock()
		t.arrivals = append(t.arrivals, at)
		t.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// maxInWindow returns the largest number of arrivals within any window of
// length d.
func (t *trace) maxInWindow(d time.Duration) int {
	t.mu.Lock()
	at := slices.Clone(t.arrivals)
	t.mu.Unlock()
	slices.SortFunc(at, time.Time.Compare)
	best, lo := 0, 0
	for hi := range at {
		for at[hi].Sub(at[lo]) >= d {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
