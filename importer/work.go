package importer

import (
	"fmt"
	"math"
	"time"

	"go.uber.org/zap"
)

// spawn starts one more worker.
func (r *run) spawn() {
	r.counters.workers.Add(1)
	r.workers.Add(1)
	go r.work()
}

// grow adds a worker when the pool sizes itself and rate × latency says
// more requests must be in flight. Only dispatch calls it.
func (r *run) grow() {
	if r.cfg.Workers == 0 && int(r.counters.workers.Load()) < min(MaxAutoWorkers, r.wantWorkers()) {
		r.spawn()
	}
}

// wantWorkers is how many requests must be in flight to keep the current
// rate full at the latency seen so far, with a quarter to spare. Until the
// first answer, the latency is taken as openingLatency.
func (r *run) wantWorkers() int {
	lat := time.Duration(r.latency.Load())
	if lat == 0 {
		lat = openingLatency
	}
	return int(math.Ceil(r.pacer.Rate()*lat.Seconds()*1.25)) + 1
}

// openingLatency is the latency the pool is sized for before any answer
// came back: a common round trip to an API over the internet. Sized for
// none, the first round trip went out with the minAutoWorkers alone: at 500
// a second and 50 ms, 4 sends where 25 were due, which cost 0.2% of the
// rate over a 20-second run (prolifi-bench's rate fidelity, 50 ms latency:
// 98.9% in four runs; with this, 99.0% to 99.2% in five). When the real
// latency is lower, the extra workers only wait.
const openingLatency = 50 * time.Millisecond

// work sends the rows it is given until there are none.
func (r *run) work() {
	defer r.workers.Done()
	for j := range r.jobs {
		if r.stopCtx.Err() != nil {
			r.leave(j, false)
			continue
		}
		if res, ok, maybeSent := r.send(j); ok {
			r.results <- res
		} else {
			r.leave(j, maybeSent)
		}
	}
}

// send drives one row's attempts to their end. It reports false when the
// run stopped before the row reached an outcome worth recording, and then
// whether a request for it may have reached the API.
func (r *run) send(j job) (res Result, ok, maybeSent bool) {
	a := newRowAttempt(j, r.cfg)
	for {
		if r.pacer.Wait(r.stopCtx) != nil {
			return a.leaveOrRecord()
		}
		o := r.call(a)
		d := decide(o, a.hasExt, r.cfg.MaxWait, r.cfg.Now())
		r.observe(o, d)
		st := a.next(o, d)
		switch st.kind {
		case stepDone:
			return a.res, true, true
		case stepLeave:
			return a.leaveOrRecord()
		case stepWait:
			if sleepCtx(r.stopCtx, st.wait) != nil {
				return a.leaveOrRecord()
			}
		}
		if d.verdict == vRetry {
			r.counters.retries.Add(1)
		}
	}
}

// call makes the request the row's state asks for.
func (r *run) call(a *rowAttempt) outcome {
	req := a.job.row.Request
	o := outcome{lookup: a.lookup, sent: r.cfg.Now()}
	began := time.Now()
	if a.lookup {
		r.counters.lookups.Add(1)
		o.customer, o.resp, o.err = r.api.GetCustomer(r.reqCtx, req.ExternalID)
	} else {
		r.counters.creates.Add(1)
		o.customer, o.resp, o.err = r.api.CreateCustomer(r.reqCtx, req)
	}
	r.observeLatency(time.Since(began))
	if o.resp != nil {
		// The rate search reads when requests reached the server: a request
		// that waited for a new connection went out when it was written.
		if w := o.resp.Wrote; w.After(o.sent) && w.Before(r.cfg.Now()) {
			o.sent = w
		}
	}
	return o
}

// observe feeds one outcome to the pacing and to the run's health, and
// stops the run when the policy or the health says so.
func (r *run) observe(o outcome, d decision) {
	now := r.cfg.Now()
	switch {
	case d.throttled:
		r.counters.throttle.Add(1)
		if d.verdict != vStop {
			r.throttled(o, d.wait, now)
		}
	case o.resp != nil:
		r.pace(observation{sent: o.sent, at: now, limit: o.resp.RateLimit})
	}
	stop, wave := r.health.observe(d.failing || o.resp == nil && o.err != nil, d.throttled, failureText(o), now)
	if wave {
		r.log.Info("the API is failing; every row retries with backoff", zap.String("last_error", failureText(o)))
	}
	switch {
	case d.verdict == vStop:
		r.abort(&AbortError{Reason: d.message, urgent: d.errorType != "wait_too_long"})
	case stop:
		r.abort(r.healthStop(o, now))
	}
}

// healthStop says why a streak stopped the run.
func (r *run) healthStop(o outcome, now time.Time) *AbortError {
	n, throttled, d, last := r.health.describe(now)
	what := "kept failing"
	switch {
	case throttled == n:
		return &AbortError{Reason: fmt.Sprintf("the API kept answering 429 (rate limited) for %s and accepted nothing (a quota spent?); nothing more was sent; run again later",
			d.Round(time.Second))}
	case o.resp == nil:
		what = "could not be reached"
	}
	return &AbortError{Reason: fmt.Sprintf("the API %s: %d requests in a row over %s ended with %s and none succeeded; nothing more was sent; run again to continue",
		what, n, d.Round(time.Second), last)}
}

// failureText names what an outcome was, for logs and messages.
func failureText(o outcome) string {
	if o.resp != nil {
		return fmt.Sprintf("HTTP %d", o.resp.Status)
	}
	if o.err != nil {
		return o.err.Error()
	}
	return "success"
}

// throttled lets the search lower the rate and close the gate: for the
// server's wait, or for as much of it as the search keeps (cutPause).
func (r *run) throttled(o outcome, wait time.Duration, now time.Time) {
	if wait <= 0 {
		wait = time.Second
	}
	ob := observation{sent: o.sent, at: now, throttled: true, pauseUntil: now.Add(max(wait, r.pacer.gate()))}
	if o.resp != nil {
		ob.limit = o.resp.RateLimit
	}
	r.pace(ob)
}

// pace feeds one answer to the rate search and applies what it says: the
// rate, and a wait when the server said nothing is left until its reset.
func (r *run) pace(ob observation) {
	r.searchMu.Lock()
	before := r.search.finding()
	rate, hold := r.search.observe(ob)
	after := r.search.finding()
	accepted, span, burst := r.search.episode()
	atOnce, catchUp := r.search.sendBurst(), r.search.catchUp()
	r.searchMu.Unlock()
	if ob.throttled {
		r.pacer.SetCatchUp(catchUp) // only a 429 changes it: not on every answer
	}
	if hold.After(ob.at) {
		r.pacer.Pause(hold.Sub(ob.at))
	}
	r.setRate(rate)
	if r.pacer.SetBurst(atOnce) {
		r.log.Info("the API took fewer requests at once than --burst: requests are spaced from now on",
			zap.Int("burst", r.cfg.Burst), zap.Int("accepted_at_once", accepted))
	}
	if ob.throttled {
		r.log.Debug("pacing: 429", zap.Time("sent", ob.sent), zap.Time("pause_until", ob.pauseUntil), zap.Float64("rate_now", rate),
			zap.Int("accepted_before", accepted), zap.Duration("over", span), zap.Float64("burst_minus_one", burst))
	}
	if after != before {
		r.logFinding(before, after, ob)
	}
}

// logFinding says what the search learned about the server's limit.
func (r *run) logFinding(before, after finding, ob observation) {
	fields := []zap.Field{zap.Float64("rate_before", before.rate), zap.Float64("rate_now", after.rate)}
	switch {
	case after.stated != before.stated:
		r.log.Info("the API states its rate limit: the rate stays a little under it",
			append(fields, zap.Float64("stated_per_second", after.stated))...)
	case after.limit != before.limit && after.limit > 0:
		r.log.Info("rate limited by the API: its limit is measured, and the rate stays a little under it",
			append(fields, zap.Stringer("limiter", after.kind), zap.Float64("limit_per_second", after.limit))...)
	case ob.throttled && after.rate < before.rate:
		r.log.Info("rate limited by the API: every worker pauses, and the rate is lowered", fields...)
	default:
		r.log.Debug("pacing: the rate changed", append(fields, zap.Bool("after_429", ob.throttled), zap.Time("sent", ob.sent))...)
	}
}

func (r *run) setRate(rate float64) {
	r.pacer.SetRate(rate)
	r.counters.rate.Store(math.Float64bits(rate))
}

// observeLatency folds one call's latency into the moving average.
func (r *run) observeLatency(d time.Duration) {
	for {
		old := r.latency.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if r.latency.CompareAndSwap(old, next) {
			return
		}
	}
}
