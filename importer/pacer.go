package importer

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces every request of a run, retries and look-ups included, with
// one token bucket, and adapts when the server says 429.
//
// A 429 does two things. It closes a gate that every worker waits on until
// the server's Retry-After has passed: the limiter alone cannot hold back
// requests that already hold a token. And it cuts the rate, then searches
// for the server's real limit: the rate is halved until a rate holds for
// holdFor without a 429 (lo), then probes halfway between lo and the lowest
// rate that drew a 429 (hi), so a --rate set far above the server's limit
// settles just under it after a few 429s instead of meeting one every
// second.
type Pacer struct {
	lim    *rate.Limiter
	target float64
	now    func() time.Time

	mu         sync.Mutex
	pauseUntil time.Time
	cur        float64   // the limiter's rate now
	since      time.Time // when cur was set
	lo, hi     float64   // highest rate that held, lowest that drew a 429 (0: none yet)
	lastCut    time.Time

	spaceMu  sync.Mutex
	nextSend time.Time // the earliest time of the next send, when spacing
}

// holdFor is how long a rate must go without a 429 to count as safe.
const holdFor = 3 * time.Second

// NewPacer allows perSecond requests a second with bursts of burst. now is
// the clock (time.Now in production).
func NewPacer(perSecond float64, burst int, now func() time.Time) *Pacer {
	if burst < 1 {
		burst = 1
	}
	t := now()
	return &Pacer{lim: rate.NewLimiter(rate.Limit(perSecond), burst), target: perSecond, now: now, cur: perSecond, since: t}
}

// Wait blocks until the gate is open and a token is free, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		wait := p.pauseUntil.Sub(p.now())
		p.mu.Unlock()
		if wait > 0 {
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
		p.mu.Lock()
		closed := p.pauseUntil.After(p.now())
		p.mu.Unlock()
		if !closed {
			return p.space(ctx)
		}
	}
}

// maxSpacedRate is the highest rate at which sends are also spaced in real
// time; above it the spacing is finer than the timers that would keep it.
const maxSpacedRate = 2000

// spacingShare is the share of the rate that spaced sends aim for.
const spacingShare = 0.99

// space keeps sends about 1/rate apart in real time when the burst is 1.
// The limiter hands out slots in advance, and workers that wake late from
// theirs would go out together: a one-second window could then see more than
// rate + burst requests. Each send waits for the schedule; a send that is
// itself late moves the schedule only if it is more than one interval late,
// so timer overshoot does not slow the rate down.
func (p *Pacer) space(ctx context.Context) error {
	if p.lim.Burst() > 1 {
		return nil
	}
	p.mu.Lock()
	r := p.cur
	p.mu.Unlock()
	if r > maxSpacedRate {
		return nil
	}
	// One percent of slack: the server counts arrivals, and network and
	// scheduling jitter can move a send into the next second's window.
	interval := time.Duration(float64(time.Second) / (r * spacingShare))
	p.spaceMu.Lock()
	defer p.spaceMu.Unlock()
	now := p.now()
	if wait := p.nextSend.Sub(now); wait > 0 {
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		now = p.now()
	}
	base := p.nextSend
	if floor := now.Add(-interval); base.Before(floor) {
		base = floor
	}
	p.nextSend = base.Add(interval)
	return nil
}

// Throttled records a 429 whose Retry-After was retryAfter (0 if none).
func (p *Pacer) Throttled(retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if until := now.Add(retryAfter); until.After(p.pauseUntil) {
		p.pauseUntil = until
	}
	// 429s for requests sent before the last cut took effect say nothing new.
	if now.Before(p.lastCut) {
		return
	}
	if p.hi == 0 || p.cur < p.hi {
		p.hi = p.cur
	}
	if p.lo >= p.cur {
		p.lo = 0 // what looked safe was not
	}
	next := p.lo
	if next == 0 {
		next = p.cur / 2
	}
	p.set(max(next, minRate), now)
	p.lastCut = p.pauseUntil
}

// Succeeded records an answer that was not a 429, and raises the rate step
// by step toward the target while rates keep holding.
func (p *Pacer) Succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur >= p.target {
		return
	}
	now := p.now()
	if now.Sub(p.since) < holdFor {
		return
	}
	p.lo = max(p.lo, p.cur)
	next := (p.lo + p.hi) / 2
	if p.hi-p.lo <= p.hi*0.02 {
		// Close enough to the limit: stay, but try a little higher now and
		// then in case the server's limit was raised.
		if now.Sub(p.since) < 10*holdFor {
			return
		}
		p.hi = min(p.target, p.hi*1.05)
		next = p.hi
	}
	p.set(min(next, p.target), now)
}

// minRate keeps a run moving however often the server says 429.
const minRate = 0.5

func (p *Pacer) set(r float64, now time.Time) {
	p.cur, p.since = r, now
	p.lim.SetLimitAt(now, rate.Limit(r))
}

// Rate is the current requests-per-second limit.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
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
