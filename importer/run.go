package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// run is one call of Importer.Run: its contexts, channels and counters. Rows
// flow one way through its stages, each a goroutine or a pool of them:
//
//	feed (reads) → dispatch (ledger: recall, then mark pending) → work (the API) → drain (the sink)
//
// Rows that need no request (invalid, duplicate, already imported) go from
// dispatch straight to drain.
type run struct {
	cfg      Config
	api      Creator
	log      *zap.Logger
	ledger   Ledger
	counters *Counters
	pacer    *Pacer
	health   health

	searchMu sync.Mutex
	search   *rateSearch
	latency  atomic.Int64 // moving average of call latency, in nanoseconds

	ctx        context.Context         // the caller's
	stopCtx    context.Context         // ends reading and every wait
	stop       context.CancelCauseFunc // with the reason the run stops
	reqCtx     context.Context         // requests already sent run on it
	cancelReqs context.CancelFunc
	// ledgerCtx is never cancelled: what the ledger must record (pending
	// marks, their release) is recorded however the run ends.
	ledgerCtx context.Context

	rows    chan Row
	jobs    chan job
	results chan Result
	workers sync.WaitGroup
	// full is closed when Config.Limit rows have been handed on: feed
	// stops reading, and what it read beyond them is not attempted.
	full chan struct{}
	toGo int // rows still allowed by the limit (dispatch only)

	unsentMu sync.Mutex
	unsent   []string // identities marked pending whose rows were never sent
}

// job is a row on its way to a worker.
type job struct {
	row          Row
	recheck      bool // the ledger knows it and --recheck asks the API again: look it up first
	maybeSent    bool // an earlier run may have created it: a 409 then means created
	failedBefore bool // an earlier run had it failed or invalid
}

// The sizes of the channels between stages: a little slack so that no stage
// often waits on the next. Rows wait for dispatch in a channel that holds a
// whole batch: at full speed the reader is ahead and every batch is full,
// and each batch is one ledger commit (with 64, batches of 65 rows made
// four times the commits, and a commit with its fsync is most of what the
// ledger costs a run). A batch is a second of sends up to batchMax: on
// 100,000 rows at full speed, batches of 1024 cost 0.2 s less CPU than 256.
const (
	chanSize = 64
	batchMax = 1024
)

// markAhead is how many rows dispatch marks pending at once, and how many
// marked rows may wait for a worker: about a second of sends at rate, within
// [4, batchMax]. Rows marked and never sent are what a SIGKILL leaves as
// pending, and rows without an external_id among them then wait for a
// person to check them (--retry-unknown); at 20 requests a second a full
// batch of 1024 would be 51 seconds of them.
func markAhead(rate float64) int {
	if !(rate < batchMax) { // NaN or above
		return batchMax
	}
	return max(4, int(math.Ceil(rate)))
}

// ahead is how many rows dispatch marks pending at once now: markAhead of
// the rate the run goes at, which the rate search may have set far below
// --rate (a run asked for --rate 1000000 against a server that takes 100 a
// second marks 100 rows at a time, not 1024).
func (r *run) ahead() int { return markAhead(math.Float64frombits(r.counters.rate.Load())) }

func newRun(ctx context.Context, im *Importer) *run {
	cfg := im.cfg
	now := cfg.Now()
	r := &run{
		cfg: cfg, api: im.api, log: cfg.Logger, ledger: cfg.Ledger,
		counters: &Counters{start: now},
		pacer:    NewPacer(cfg.Rate, cfg.Burst, cfg.Now),
		search:   newRateSearch(cfg.Rate, cfg.Burst, cfg.MaxWait, now),
		ctx:      ctx,
		rows:     make(chan Row, batchMax),
		jobs:     make(chan job, min(chanSize, markAhead(cfg.Rate))),
		results:  make(chan Result, chanSize),
		full:     make(chan struct{}),
		toGo:     cfg.Limit,
	}
	if cfg.DryRun || r.ledger == nil {
		r.ledger = newLocalLedger(cfg.Ledger, cfg.RunID)
	}
	r.counters.rate.Store(math.Float64bits(cfg.Rate))
	r.stopCtx, r.stop = context.WithCancelCause(ctx)
	r.reqCtx, r.cancelReqs = context.WithCancel(context.WithoutCancel(ctx))
	r.ledgerCtx = context.WithoutCancel(ctx)
	return r
}

// execute runs every stage to its end and says how the run ended.
func (r *run) execute(src Source, sink Sink) (Stats, error) {
	defer r.stop(nil)
	defer r.cancelReqs()
	go r.watchStop()
	initial := r.cfg.Workers
	if initial == 0 {
		initial = minAutoWorkers
	}
	for range initial {
		r.spawn()
	}
	written := make(chan error, 1)
	go func() { written <- r.drain(sink) }()
	dispatched := make(chan error, 1)
	go func() { dispatched <- r.dispatch() }()

	readErr := r.feed(src)
	dispatchErr := <-dispatched
	r.workers.Wait()
	close(r.results)
	sinkErr := <-written
	if err := r.releaseUnsent(); err != nil && sinkErr == nil {
		sinkErr = err
	}
	return r.counters.Snapshot(r.cfg.Now()), r.verdict(readErr, dispatchErr, sinkErr)
}

// leave counts a row marked pending that will not be sent in this run. Its
// mark is released at the end unless a request for it may have gone out.
func (r *run) leave(j job, maybeSent bool) {
	r.counters.skipped.Add(1)
	if maybeSent {
		return // it stays pending: the next run treats it as maybe sent
	}
	r.unsentMu.Lock()
	r.unsent = append(r.unsent, Identity(j.row.Request))
	r.unsentMu.Unlock()
}

// releaseUnsent undoes the pending marks of the rows left unsent.
func (r *run) releaseUnsent() error {
	if len(r.unsent) == 0 {
		return nil
	}
	if err := r.ledger.Release(r.ledgerCtx, r.unsent); err != nil {
		return fmt.Errorf("release unsent rows in the ledger: %w", err)
	}
	return nil
}

// watchStop ends the requests in flight once the run stops: at once when
// the run stopped itself for a reason every request shares (the key was
// refused), else after the grace period.
func (r *run) watchStop() {
	<-r.stopCtx.Done()
	var ae *AbortError
	if errors.As(context.Cause(r.stopCtx), &ae) && ae.urgent {
		r.cancelReqs()
		return
	}
	t := time.NewTimer(r.cfg.Grace)
	defer t.Stop()
	select {
	case <-t.C:
		r.cancelReqs()
	case <-r.reqCtx.Done():
	}
}

// feed reads rows until the input ends, the limit is reached or the run
// stops.
func (r *run) feed(src Source) error {
	defer close(r.rows)
	for r.stopCtx.Err() == nil && !r.limitReached() {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			r.stop(err)
			return err
		}
		select {
		case r.rows <- row:
		case <-r.stopCtx.Done():
			r.counters.skipped.Add(1)
		}
	}
	return nil
}

// limitReached reports whether Config.Limit rows have been handed on.
func (r *run) limitReached() bool {
	select {
	case <-r.full:
		return true
	default:
		return false
	}
}

// abort stops the run for a reason of its own.
func (r *run) abort(e *AbortError) { r.stop(e) }

// verdict is Run's error: a stage that failed, the run's own stop, or the
// caller's cancellation.
func (r *run) verdict(readErr, dispatchErr, sinkErr error) error {
	for _, err := range []error{sinkErr, readErr, dispatchErr} {
		if err != nil {
			return err
		}
	}
	var ae *AbortError
	if cause := context.Cause(r.stopCtx); errors.As(cause, &ae) {
		return ae
	}
	if r.ctx.Err() != nil {
		return fmt.Errorf("%w: %v", ErrInterrupted, context.Cause(r.ctx))
	}
	return nil
}
