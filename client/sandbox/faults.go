package sandbox

import (
	"math/rand/v2"
	"sync"
)

// fault is what the emulator does to one request instead of, or after,
// answering it honestly.
type fault int

const (
	faultNone  fault = iota
	faultReset       // drop the connection before doing anything
	fault5xx         // answer 500 or 503 without doing anything
	faultLost        // create the customer, then drop the connection
)

// faults draws faults from one seeded source, so a run with the same seed
// and the same request order meets the same faults.
type faults struct {
	mu                          sync.Mutex
	rng                         *rand.Rand
	reset, fail, lost           float64
	resetDone, failDone, lostDn int
}

func newFaults(seed uint64, reset, fail, lost float64) *faults {
	return &faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), reset: reset, fail: fail, lost: lost}
}

// draw picks the fault for the next request; every request consumes the same
// three draws, which keeps a seeded sequence stable when rates change.
func (f *faults) draw(create bool) (fault, int) {
	if f.reset == 0 && f.fail == 0 && f.lost == 0 {
		return faultNone, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, b, c := f.rng.Float64(), f.rng.Float64(), f.rng.Float64()
	switch {
	case a < f.reset:
		f.resetDone++
		return faultReset, 0
	case b < f.fail:
		f.failDone++
		// Spread failures over the answers a real deployment gives: the
		// application's 500, a proxy's 502 page, an overloaded 503.
		return fault5xx, [...]int{500, 502, 503}[int(b/f.fail*3)%3]
	case create && c < f.lost:
		f.lostDn++
		return faultLost, 0
	}
	return faultNone, 0
}
