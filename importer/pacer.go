package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces every request of a run, retries and look-ups included, with
// one token bucket, and holds every worker back while the server asked for
// a pause. It only waits: how fast to go is decided elsewhere (rateSearch)
// and handed in with SetRate.
type Pacer struct {
	lim *rate.Limiter
	now func() time.Time
	// turn lets one worker at a time wait for the next slot when sends are
	// spaced. Were every worker to hold a slot of its own, a stall of the
	// process would wake them all together and send them in one bunch; the
	// one waiting for the next slot goes late instead, and the limiter's
	// catchUp tokens let at most that many follow at once.
	turn chan struct{}

	mu         sync.Mutex
	pauseUntil time.Time // the gate: no request before this
	rate       float64
	burst      int
	catchUp    int // spaced sends that may go at once after a late wake-up
}

// NewPacer allows perSecond requests a second with bursts of burst. now is
// the clock (time.Now in production).
func NewPacer(perSecond float64, burst int, now func() time.Time) *Pacer {
	burst = max(burst, 1)
	p := &Pacer{now: now, burst: burst, rate: perSecond, catchUp: defaultCatchUp, turn: make(chan struct{}, 1)}
	p.lim = rate.NewLimiter(p.limit(perSecond), p.tokens(perSecond))
	return p
}

// defaultCatchUp is how many sends spaced sends may catch up at once after
// the waiting worker woke late: enough that a busy machine's late wake-ups
// do not cost the rate, few enough not to empty a server's small burst. A
// server that takes one request at a time refuses the second of such a
// pair, and the run then sends one at a time (SetCatchUp).
const defaultCatchUp = 2

// tokens is the limiter's burst at r.
func (p *Pacer) tokens(r float64) int {
	if p.spaced(r) {
		return p.catchUp
	}
	return p.burst
}

// maxSpacedRate is the highest rate at which sends are spaced one by one;
// above it the spacing is finer than the timers that would keep it.
const maxSpacedRate = 2000

// spacingShare is the share of the rate that spaced sends aim for: the
// server counts arrivals, and a catch-up, or jitter between sending and
// arriving, can move sends into the next second's window.
const spacingShare = 0.995

// spaced reports whether sends at r go one by one, evenly spaced.
func (p *Pacer) spaced(r float64) bool { return p.burst == 1 && r <= maxSpacedRate }

// limit is the limiter's rate for r.
func (p *Pacer) limit(r float64) rate.Limit {
	if p.spaced(r) {
		return rate.Limit(r * spacingShare)
	}
	return rate.Limit(r)
}

// Wait blocks until the gate is open and a token is free, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	if p.spacedNow() {
		select {
		case p.turn <- struct{}{}:
			defer func() { <-p.turn }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		if wait := p.gate(); wait > 0 {
			if err := sleepCtx(ctx, wait); err != nil {
				return err
			}
			continue
		}
		if err := p.lim.Wait(ctx); err != nil {
			return err
		}
		// A 429 may have closed the gate while this worker waited for its
		// token: honour it rather than send into it.
		if p.gate() <= 0 {
			return nil
		}
	}
}

// gate is how long the gate stays closed from now.
func (p *Pacer) gate() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pauseUntil.Sub(p.now())
}

// Pause closes the gate for d from now (a gate already closed for longer
// stays so).
func (p *Pacer) Pause(d time.Duration) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.pauseUntil) {
		p.pauseUntil = until
	}
	return p.pauseUntil
}

// SetRate changes the requests per second from now on.
func (p *Pacer) SetRate(r float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r == p.rate {
		return
	}
	p.rate = r
	now := p.now()
	p.lim.SetLimitAt(now, p.limit(r))
	p.lim.SetBurstAt(now, p.tokens(r))
}

// SetBurst changes how many requests may go at once, and reports whether
// that changed.
func (p *Pacer) SetBurst(n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n = max(n, 1)
	if n == p.burst {
		return false
	}
	p.burst = n
	now := p.now()
	p.lim.SetLimitAt(now, p.limit(p.rate))
	p.lim.SetBurstAt(now, p.tokens(p.rate))
	return true
}

// SetCatchUp changes how many spaced sends may go at once after a late
// wake-up or a quiet spell.
func (p *Pacer) SetCatchUp(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n = max(n, 1); n != p.catchUp {
		p.catchUp = n
		p.lim.SetBurstAt(p.now(), p.tokens(p.rate))
	}
}

// spacedNow reports whether sends go one by one at the current rate.
func (p *Pacer) spacedNow() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spaced(p.rate)
}

// Rate is the current requests-per-second limit.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
