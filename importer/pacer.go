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

	mu         sync.Mutex
	pauseUntil time.Time // the gate: no request before this
	rate       float64
	nextSend   time.Time // the next free slot of the spacing schedule
}

// NewPacer allows perSecond requests a second with bursts of burst. now is
// the clock (time.Now in production).
func NewPacer(perSecond float64, burst int, now func() time.Time) *Pacer {
	burst = max(burst, 1)
	return &Pacer{lim: rate.NewLimiter(rate.Limit(perSecond), burst), now: now, rate: perSecond}
}

// Wait blocks until the gate is open and a token is free, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
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
		// token or its slot: honour it rather than send into it.
		if p.gate() > 0 {
			continue
		}
		if err := p.space(ctx); err != nil {
			return err
		}
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
	p.lim.SetLimitAt(p.now(), rate.Limit(r))
}

// Rate is the current requests-per-second limit.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// maxSpacedRate is the highest rate at which sends are also spaced in real
// time; above it the spacing is finer than the timers that would keep it.
const maxSpacedRate = 2000

// spacingShare is the share of the rate that spaced sends aim for: the
// server counts arrivals, and network and scheduling jitter can move a send
// into the next second's window.
const spacingShare = 0.99

// space keeps sends about 1/rate apart in real time when the burst is 1.
// The limiter hands out slots in advance, and workers that wake late from
// theirs would go out together: a one-second window could then see more than
// rate + burst requests. Each send takes the next slot of a schedule and
// waits for it; a send that is itself late moves the schedule only if it is
// more than one interval late, so timer overshoot does not slow the rate.
func (p *Pacer) space(ctx context.Context) error {
	if p.lim.Burst() > 1 {
		return nil
	}
	p.mu.Lock()
	if p.rate > maxSpacedRate {
		p.mu.Unlock()
		return nil
	}
	interval := time.Duration(float64(time.Second) / (p.rate * spacingShare))
	now := p.now()
	slot := p.nextSend
	base := slot
	if floor := now.Add(-interval); base.Before(floor) {
		base = floor
	}
	p.nextSend = base.Add(interval)
	p.mu.Unlock()
	if wait := slot.Sub(now); wait > 0 {
		return sleepCtx(ctx, wait)
	}
	return nil
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
