package importer

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/client"
)

// Creator is what the importer needs from the API. *client.Client
// implements it; tests pass fakes.
type Creator interface {
	CreateCustomer(ctx context.Context, req client.CreateCustomerRequest) (*client.Customer, *client.Response, error)
	GetCustomer(ctx context.Context, externalID string) (*client.Customer, *client.Response, error)
}

// Source yields rows; io.EOF ends them. *Reader is one.
type Source interface {
	Next() (Row, error)
}

// Sink receives every Result, from one goroutine, as rows finish. Flush is
// called whenever no further result is waiting (at most every few
// milliseconds under load), so that what is recorded lags what is done by
// the rows in flight only.
type Sink interface {
	Write(Result) error
	Flush() error
}

// Config tunes a run. Zero values take the defaults noted.
type Config struct {
	Workers    int     // concurrent requests; 0: follow rate × observed latency (see MaxAutoWorkers)
	Rate       float64 // requests per second, retries included (default 20)
	Burst      int     // token bucket size (default 1: evenly spaced)
	MaxRetries int     // retries per row after the first attempt; 0: none
	// MaxWait is the longest wait the server may ask for (Retry-After); a
	// longer one stops the run instead of holding it for hours. 0: any.
	MaxWait time.Duration
	DryRun  bool // map, validate and consult the ledger; send nothing
	// Limit stops reading once this many rows have been handed on to be
	// sent (in a dry run: found valid), 0 for no limit. Rows the ledger
	// already knows do not count, so that a second canary run goes on
	// where the first stopped.
	Limit int
	// MaxErrors stops the run once more rows than this were sent and ended
	// invalid or failed (0: no limit). MaxErrorRate does the same for a
	// share of the rows sent, once 100 have been. Rows refused by the local
	// checks cost no request and do not count, nor do rows the ledger had
	// as failed before: a bad row in every night's export must not stop
	// every night at the same place.
	MaxErrors    int
	MaxErrorRate float64
	// Grace is how long requests in flight may finish after ctx ends
	// (default 10s).
	Grace time.Duration
	// BackoffInitial and BackoffMax shape the wait between retries
	// (defaults 250ms and 30s).
	BackoffInitial, BackoffMax time.Duration
	// Ledger is consulted before anything is sent (nil: this run remembers
	// nothing beyond itself). RunID names this run in it.
	Ledger Ledger
	RunID  string
	// Recheck asks the API again about customers the ledger knows; without
	// it they are reported as exists with no request.
	Recheck bool
	// RetryUnknown sends again rows without an external_id whose earlier
	// outcome is unknown, once a person has checked they are not in Prolifi.
	RetryUnknown bool
	Logger       *zap.Logger
	Now          func() time.Time
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
	c.Burst = max(c.Burst, 1)
	c.MaxRetries = max(c.MaxRetries, 0)
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

// AbortError ends a run early: the key was refused, the API could not be
// reached or trusted, it asked for too long a wait, or too many rows failed.
// What was done is recorded; running again does the rest.
type AbortError struct {
	Reason string
	Err    error
	urgent bool // every request in flight would fail too: cancel them at once
}

func (e *AbortError) Error() string {
	if e.Err == nil {
		return "run stopped: " + e.Reason
	}
	return "run stopped: " + e.Reason + ": " + e.Err.Error()
}

func (e *AbortError) Unwrap() error { return e.Err }

// runError lets the importer's sentinel errors be constants.
type runError string

func (e runError) Error() string { return string(e) }

// ErrInterrupted is returned (wrapped) when ctx ended the run.
const ErrInterrupted = runError("run interrupted")

// Importer runs rows through the API. Use New.
type Importer struct {
	cfg     Config
	api     Creator
	current atomic.Pointer[Counters]
}

// New returns an importer that calls api (nil for a dry run).
func New(api Creator, cfg Config) *Importer {
	cfg.defaults()
	return &Importer{cfg: cfg, api: api}
}

// Snapshot is a live view of the run going on (or the last one), safe to
// call from any goroutine.
func (im *Importer) Snapshot() Stats {
	c := im.current.Load()
	if c == nil {
		return Stats{ByStatus: map[Status]int{}}
	}
	return c.Snapshot(im.cfg.Now())
}

// Run reads src to the end and writes one Result per row to sink. It returns
// an error only when the run as a whole failed: the input could not be read,
// the ledger or the sink could not be written, the run stopped itself
// (*AbortError), or ctx ended (ErrInterrupted). Rows in flight when ctx ends
// get Grace to finish; rows not attempted get no Result, so the next run
// picks them up.
func (im *Importer) Run(ctx context.Context, src Source, sink Sink) (Stats, error) {
	r := newRun(ctx, im)
	im.current.Store(r.counters)
	return r.execute(src, sink)
}
