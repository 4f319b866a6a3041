package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/client"
)

// Creator is what the importer needs from the API. *client.Client
// implements it; tests pass fakes.
type Creator interface {
	CreateCustomer(ctx context.Context, req client.CreateCustomerRequest) (*client.Customer, error)
	GetCustomer(ctx context.Context, externalID string) (*client.Customer, error)
}

// Source yields rows; io.EOF ends them. *Reader is one.
type Source interface {
	Next() (Row, error)
}

// Sink receives every Result, from one goroutine, as rows finish. Flush is
// called whenever no further result is waiting, so that what is written
// lags what is done by the rows in flight only.
type Sink interface {
	Write(Result) error
	Flush() error
}

// Config tunes a run. Zero values take the defaults noted.
type Config struct {
	Workers    int     // concurrent requests; 0: follow rate × observed latency (see MaxAutoWorkers)
	Rate       float64 // requests per second, retries included (default 20)
	Burst      int     // token bucket size (default 1: evenly spaced)
	MaxRetries int     // retries per row after the first attempt (default 8; negative: none)
	DryRun     bool    // map and validate only; send nothing
	// Skip reports lines a previous run already finished (resume).
	Skip func(line int) bool
	// Limit stops after this many records have been processed (0: all).
	Limit int
	// MaxErrors stops the run once more rows than this ended invalid or
	// failed (0: no limit). MaxErrorRate does the same for a share of the
	// rows finished, once 100 have.
	MaxErrors    int
	MaxErrorRate float64
	// Grace is how long requests in flight may finish after ctx ends
	// (default 10s).
	Grace time.Duration
	// BackoffInitial and BackoffMax shape the wait between retries
	// (defaults 250ms and 30s).
	BackoffInitial, BackoffMax time.Duration
	Logger                     *zap.Logger
	Now                        func() time.Time
}

// DefaultRate is the requests per second used when Config.Rate is 0.
const DefaultRate = 20

// MaxAutoWorkers bounds the worker count when Config.Workers is 0. The pool
// starts with minAutoWorkers and grows while rate × the average latency of
// recent calls says more requests must be in flight to keep the rate full.
const (
	MaxAutoWorkers = 256
	minAutoWorkers = 4
)

func (c *Config) defaults() {
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}

	if c.MaxRetries == 0 {
		c.MaxRetries = 8
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Second
	}
	if c.BackoffInitial <= 0 {
		c.BackoffInitial = 250 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Stats counts what a run did.
type Stats struct {
	ByStatus     map[Status]int
	Skipped      int // lines a previous run had finished
	NotAttempted int // rows read but left for a later run (the run stopped)
	Requests     int64
	Retries      int64
	Throttled    int64 // 429 answers
	Elapsed      time.Duration
}

// Rows is the number of records that got a Result.
func (s Stats) Rows() int {
	n := 0
	for _, v := range s.ByStatus {
		n += v
	}
	return n
}

// AbortError ends a run early: the key was refused, or too many rows
// failed. What was done is in the results; a resume does the rest.
type AbortError struct {
	Reason string
	Err    error
}

func (e *AbortError) Error() string {
	if e.Err == nil {
		return "run aborted: " + e.Reason
	}
	return "run aborted: " + e.Reason + ": " + e.Err.Error()
}

func (e *AbortError) Unwrap() error { return e.Err }

// errLookupNow tells send's retry loop to look the customer up at once.
const errLookupNow = readError("look up now")

// ErrInterrupted is returned (wrapped) when ctx ended the run.
const ErrInterrupted = readError("run interrupted")

// Importer runs rows through the API. Use New.
type Importer struct {
	cfg   Config
	api   Creator
	pacer *Pacer
	log   *zap.Logger

	requests, retries, throttled atomic.Int64
	latency                      atomic.Int64 // moving average of call latency, in nanoseconds
	workers                      atomic.Int64
}

// New returns an importer that calls api.
func New(api Creator, cfg Config) *Importer {
	cfg.defaults()
	return &Importer{cfg: cfg, api: api, pacer: NewPacer(cfg.Rate, cfg.Burst, cfg.Now), log: cfg.Logger}
}

// Workers is the worker count in use (with Config.Workers 0, it grows).
func (im *Importer) Workers() int { return int(im.workers.Load()) }

// wantWorkers is how many requests must be in flight to keep the current
// rate full at the latency seen so far, with a quarter to spare.
func (im *Importer) wantWorkers() int {
	lat := time.Duration(im.latency.Load())
	return int(math.Ceil(im.pacer.Rate()*lat.Seconds()*1.25)) + 1
}

// observe folds one call's latency into the moving average.
func (im *Importer) observe(d time.Duration) {
	for {
		old := im.latency.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if im.latency.CompareAndSwap(old, next) {
			return
		}
	}
}

// Progress is a live view of a run, safe to read from another goroutine.
func (im *Importer) Progress() (requests, retries, throttled int64, rate float64) {
	return im.requests.Load(), im.retries.Load(), im.throttled.Load(), im.pacer.Rate()
}

// Run reads src to the end and writes one Result per row to sink. It returns
// an error only when the run as a whole failed: the input could not be read,
// the sink could not be written, the key was refused (*AbortError), or ctx
// ended (ErrInterrupted). Rows in flight when ctx ends get Grace to finish;
// rows not attempted get no Result, so a resume picks them up.
func (im *Importer) Run(ctx context.Context, src Source, sink Sink) (Stats, error) {
	start := im.cfg.Now()
	stats := Stats{ByStatus: map[Status]int{}}

	// stop ends reading and every wait; requests already sent run on reqCtx,
	// which ends Grace after stop (or at once on abort).
	stopCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	go func() {
		<-stopCtx.Done()
		var ae *AbortError
		if errors.As(context.Cause(stopCtx), &ae) {
			cancelReqs()
			return
		}
		t := time.NewTimer(im.cfg.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelReqs()
		case <-reqCtx.Done():
		}
	}()

	maxWorkers, fixed := im.cfg.Workers, im.cfg.Workers > 0
	if !fixed {
		maxWorkers = MaxAutoWorkers
	}
	jobs := make(chan Row, 64) // a little slack so workers rarely wait on the reader
	results := make(chan Result, 64)
	var notAttempted atomic.Int64

	var workers sync.WaitGroup
	spawn := func() {
		im.workers.Add(1)
		workers.Add(1)
		go func() {
			defer workers.Done()
			for row := range jobs {
				if stopCtx.Err() != nil {
					notAttempted.Add(1)
					continue
				}
				if res, ok := im.send(stopCtx, reqCtx, stop, row); ok {
					results <- res
				} else {
					notAttempted.Add(1)
				}
			}
		}()
	}
	initial := maxWorkers
	if !fixed {
		initial = minAutoWorkers
	}
	for range initial {
		spawn()
	}
	// grow is called by the feeder, the only goroutine that spawns workers.
	grow := func() {
		if !fixed && int(im.workers.Load()) < min(maxWorkers, im.wantWorkers()) {
			spawn()
		}
	}

	// One goroutine owns the sink.
	var sinkErr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		sinkErr = im.drain(results, sink, stop, &stats)
	}()

	readErr := im.feed(stopCtx, src, jobs, results, &stats, grow)
	close(jobs)
	workers.Wait()
	close(results)
	<-written

	stats.NotAttempted += int(notAttempted.Load())
	stats.Requests, stats.Retries, stats.Throttled = im.requests.Load(), im.retries.Load(), im.throttled.Load()
	stats.Elapsed = im.cfg.Now().Sub(start)

	if sinkErr != nil {
		return stats, sinkErr
	}
	if readErr != nil {
		return stats, readErr
	}
	cause := context.Cause(stopCtx)
	var ae *AbortError
	switch {
	case errors.As(cause, &ae):
		return stats, ae
	case ctx.Err() != nil:
		return stats, fmt.Errorf("%w: %v", ErrInterrupted, context.Cause(ctx))
	}
	return stats, nil
}

// flushDelay bounds how long a finished row may wait in the sink's buffer.
// Flushing after every row costs a write(2) each; under load, rows finish
// microseconds apart and one flush a few milliseconds covers dozens.
const flushDelay = 5 * time.Millisecond

// drain writes every result to the sink, counts it, and flushes the sink
// whenever no result is waiting, but not more often than every flushDelay.
// After a sink error it keeps draining (so workers never block) and returns
// that error.
func (im *Importer) drain(results <-chan Result, sink Sink, stop context.CancelCauseFunc, stats *Stats) error {
	var (
		sinkErr         error
		errCount, total int
		dirty, armed    bool
		lastFlush       time.Time
		flushT          = time.NewTimer(time.Hour)
	)
	flushT.Stop()
	defer flushT.Stop()
	flush := func() {
		dirty, lastFlush = false, time.Now()
		if err := sink.Flush(); err != nil && sinkErr == nil {
			sinkErr = fmt.Errorf("flush results: %w", err)
			stop(sinkErr)
		}
	}
	for {
		select {
		case <-flushT.C:
			armed = false
			if dirty && sinkErr == nil {
				flush()
			}
			continue
		case res, ok := <-results:
			if !ok {
				if dirty && sinkErr == nil {
					flush()
				}
				return sinkErr
			}
			if sinkErr != nil {
				continue
			}
			if err := sink.Write(res); err != nil {
				sinkErr = fmt.Errorf("write result for line %d: %w", res.Line, err)
				stop(sinkErr)
				continue
			}
			dirty = true
			if len(results) == 0 {
				if wait := flushDelay - time.Since(lastFlush); wait <= 0 {
					flush()
				} else if !armed {
					armed = true
					flushT.Reset(wait)
				}
			}
			stats.ByStatus[res.Status]++
			total++
			if res.Status == StatusInvalid || res.Status == StatusFailed {
				errCount++
				if im.overBudget(errCount, total) {
					stop(&AbortError{Reason: fmt.Sprintf("error budget spent: %d of %d rows invalid or failed", errCount, total)})
				}
			}
		}
	}
}

// overBudget reports whether errs rows of finished went past the budget.
func (im *Importer) overBudget(errs, finished int) bool {
	if im.cfg.MaxErrors > 0 && errs > im.cfg.MaxErrors {
		return true
	}
	return im.cfg.MaxErrorRate > 0 && finished >= 100 && float64(errs) > im.cfg.MaxErrorRate*float64(finished)
}

// feed reads rows and routes each: finished at once (malformed, invalid,
// duplicate, dry run) or to a worker.
func (im *Importer) feed(ctx context.Context, src Source, jobs chan<- Row, results chan<- Result, stats *Stats, grow func()) error {
	seen := newDedup()
	processed := 0
	for ctx.Err() == nil {
		if im.cfg.Limit > 0 && processed >= im.cfg.Limit {
			return nil
		}
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		res := row.result()
		first := 0
		if row.Problem == nil {
			first = seen.see(row.Request, row.Line)
		}
		if im.cfg.Skip != nil && im.cfg.Skip(row.Line) {
			stats.Skipped++
			continue
		}
		processed++
		switch {
		case row.Problem != nil:
			res.Status, res.ErrorType, res.Message, res.FieldErrors = StatusInvalid, row.Problem.Type, row.Problem.Message, row.Problem.FieldErrors
		case first != 0:
			res.Status, res.ErrorType = StatusDuplicate, ErrorTypeDuplicate
			key := "email " + row.Request.Email
			if row.Request.ExternalID != "" {
				key = "external_id " + row.Request.ExternalID
			}
			res.Message = "same " + key + " as line " + strconv.Itoa(first)
		case im.cfg.DryRun:
			res.Status = StatusValid
		default:
			grow()
			select {
			case jobs <- row:
			case <-ctx.Done():
				stats.NotAttempted++
			}
			continue
		}
		results <- res
	}
	return nil
}

// send runs one row to its end. It reports false when the run stopped
// before the row reached an outcome worth recording.
func (im *Importer) send(stopCtx, reqCtx context.Context, stop context.CancelCauseFunc, row Row) (Result, bool) {
	res := row.result()
	hasExt := row.Request.ExternalID != ""
	hint := newRowBackOff(im.cfg.BackoffInitial, im.cfg.BackoffMax, im.cfg.MaxRetries)
	var (
		uncertain bool // an earlier attempt may have created the customer
		lookup    bool // the customer exists: find its id
		finished  bool
		lastErr   error
	)
	attempt := func() error {
		if err := im.pacer.Wait(stopCtx); err != nil {
			return backoff.Permanent(err)
		}
		if res.Attempts > 0 {
			im.retries.Add(1)
		}
		res.Attempts++
		im.requests.Add(1)
		var (
			c   *client.Customer
			err error
		)
		began := time.Now()
		if lookup {
			c, err = im.api.GetCustomer(reqCtx, row.Request.ExternalID)
		} else {
			c, err = im.api.CreateCustomer(reqCtx, row.Request)
		}
		im.observe(time.Since(began))
		lastErr = err
		d := decide(err, hasExt)
		if !client.IsRateLimited(err) {
			im.pacer.Succeeded()
		}
		switch d.act {
		case actDone:
			res.Status, res.CustomerID, res.HTTPStatus = StatusCreated, c.ID, 201
			if lookup {
				// The create answered 409. After an attempt whose answer was
				// lost, that attempt is what created the customer.
				res.HTTPStatus = 409
				if !uncertain {
					res.Status = StatusExists
				}
			}
			finished = true
			return nil
		case actRetry:
			if client.IsRateLimited(err) {
				im.throttled.Add(1)
				before := im.pacer.Rate()
				im.pacer.Throttled(d.wait)
				hint.hint = d.wait
				if after := im.pacer.Rate(); after < before {
					im.log.Info("rate limited by the API: every worker pauses, and the rate is lowered",
						zap.Duration("retry_after", d.wait), zap.Float64("rate_before", before), zap.Float64("rate_now", after))
				}
			}
			uncertain = uncertain || d.uncertain
			return err
		case actLookup:
			if lookup {
				break // GET does not answer 409; treat as final
			}
			lookup = true
			return errLookupNow
		case actAbort:
			stop(&AbortError{Reason: "the API refused the key", Err: err})
			return backoff.Permanent(err)
		case actUnknown:
			res.Status, res.ErrorType = StatusFailed, ErrorTypeOutcomeUnknown
			res.Message = "the request was sent but no answer came back, so the customer may or may not have been created; " +
				"look for " + row.Request.Email + " in Prolifi before importing this line again (rows with an external_id are retried safely)"
			finished = true
			return backoff.Permanent(err)
		}
		finished = true
		return backoff.Permanent(err)
	}
	// A 409 is answered by a look-up at once, not after a backoff wait.
	op := func() error {
		for {
			if err := attempt(); err != errLookupNow {
				return err
			}
		}
	}
	bo := backoff.WithContext(hint, stopCtx)
	_ = backoff.RetryNotify(op, bo, func(err error, wait time.Duration) {
		im.log.Debug("retrying", zap.Int("line", row.Line), zap.Duration("wait", wait), zap.Error(err))
	})

	switch {
	case res.Status != "": // created, exists, or an unknown outcome already described
		return res, true
	case stopCtx.Err() != nil && !finished:
		return res, false // stopped between attempts: leave it to a resume
	}
	im.describeFailure(&res, lastErr)
	return res, true
}

// describeFailure fills a Result from the error that ended the row.
func (im *Importer) describeFailure(res *Result, err error) {
	res.Status = StatusFailed
	var ae *client.APIError
	var te *client.TransportError
	switch {
	case errors.As(err, &ae):
		res.HTTPStatus, res.ErrorType, res.Message, res.FieldErrors = ae.Status, ae.Type, ae.Message, ae.FieldErrors
		if ae.Type == "" {
			res.ErrorType = "http_" + strconv.Itoa(ae.Status)
			if ae.Body != "" {
				res.Message = ae.Body
			}
		}
		if ae.Status == 422 {
			res.Status = StatusInvalid
		}
	case errors.As(err, &te):
		res.ErrorType, res.Message = ErrorTypeNetwork, te.Error()
	case err != nil:
		res.ErrorType, res.Message = "error", err.Error()
	}
	if client.Classify(err) != client.Permanent && res.Status == StatusFailed {
		res.Message = "gave up after " + strconv.Itoa(res.Attempts) + " attempts: " + res.Message
	}
}
