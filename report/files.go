package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prolifi/prolifi-import/importer"
)

// Recorder keeps the outcomes of the rows a run sent: the ledger.
type Recorder interface {
	// Record stores the outcomes of a batch of sent rows, durably.
	Record(ctx context.Context, results []importer.Result) error
}

// Files are the files one run writes: the results file (locked against a
// second run), the rejects file, and the outcomes it hands to the ledger.
// It is the run's importer.Sink: one goroutine writes to it.
type Files struct {
	results   *Results
	rejects   *Rejects
	recorder  Recorder
	mu        sync.Mutex
	idle      sync.Cond         // on mu: busy ended, or a batch was taken
	pending   []importer.Result // outcomes not yet handed to the recorder
	busy      bool              // recordLoop runs
	recordErr error             // a failed batch's, until record returns it
	causes    *causes
	rows      atomic.Int64
}

// recordAhead is how many outcomes may wait while a batch is being
// recorded before Flush waits for it: memory stays bounded when the ledger
// is slower than the API.
const recordAhead = 4096

// FilesConfig names what OpenFiles opens.
type FilesConfig struct {
	Results   string
	Rejects   string
	Header    []string // the input's header, for the rejects file
	Delimiter rune
	Recorder  Recorder // nil: outcomes are not kept beyond the results file
	Now       func() time.Time
}

// OpenFiles opens the results file and prepares the rejects file. The paths
// must have passed CheckOutputs.
func OpenFiles(cfg FilesConfig) (*Files, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	res, err := OpenResults(cfg.Results, cfg.Now)
	if err != nil {
		return nil, err
	}
	rej, err := OpenRejects(cfg.Rejects, cfg.Header, cfg.Delimiter)
	if err != nil {
		res.out.discardPartial()
		return nil, err
	}
	f := &Files{results: res, rejects: rej, recorder: cfg.Recorder, causes: newCauses()}
	f.idle.L = &f.mu
	return f, nil
}

// Write records one result: for the ledger first (the recorder takes it
// with the batch under way, or from the next Flush), so that a results
// file that cannot be written does not cost the ledger its outcome.
func (f *Files) Write(r importer.Result) error {
	if r.Sent && f.recorder != nil {
		f.mu.Lock()
		f.pending = append(f.pending, r)
		f.mu.Unlock()
	}
	f.causes.add(r)
	f.rows.Add(1)
	return errors.Join(f.results.Write(r), f.rejects.Write(r))
}

// Flush hands the outcomes gathered so far to the recorder, and the rows
// written to the operating system.
//
// Outcomes are recorded in the background by one goroutine, a batch at a
// time: the run's drain calls Flush every few milliseconds, and a ledger
// commit (an fsync, and a wait for the importer's next marks to share it)
// would hold every worker up as long. The goroutine takes, as soon as a
// batch is stored, every outcome that came meanwhile, until none is left:
// no outcome waits for a later Flush (the drain may not call one for
// seconds, in a 429 pause or behind a slow API). Flush waits only when
// recordAhead outcomes are waiting. An error from the recorder comes back
// from a later Flush or from Close. A crash loses at most the outcomes not
// yet stored; their rows are pending in the ledger, which a later run
// treats as unknown outcomes.
func (f *Files) Flush() error {
	return errors.Join(f.record(false), f.results.Flush(), f.rejects.Flush())
}

// record makes sure the background recorder is at work on the pending
// outcomes, and returns the error of a batch that has failed since the last
// call. Without all, it waits only while recordAhead outcomes wait; with
// all, until every outcome is stored.
func (f *Files) record(all bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.busy && len(f.pending) > 0 {
		f.busy = true
		go f.recordLoop()
	}
	for f.busy && (all || len(f.pending) >= recordAhead) {
		f.idle.Wait()
	}
	err := f.recordErr
	f.recordErr = nil
	return err
}

// recordLoop records the pending outcomes, a batch at a time, until none is
// left.
func (f *Files) recordLoop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	var spare []importer.Result
	for len(f.pending) > 0 {
		batch := f.pending
		f.pending = spare
		f.mu.Unlock()
		err := f.recorder.Record(context.Background(), batch)
		clear(batch)
		spare = batch[:0] // reused: the recorder is done with it
		f.mu.Lock()
		if err != nil && f.recordErr == nil {
			f.recordErr = fmt.Errorf("record outcomes in the ledger: %w", err)
		}
		f.idle.Broadcast() // a Flush waiting for room
	}
	f.busy = false
	f.idle.Broadcast()
}

// Rows is the number of results written so far, safe to read from any
// goroutine (for progress).
func (f *Files) Rows() int64 { return f.rows.Load() }

// Rejected is the number of rows written to the rejects file.
func (f *Files) Rejected() int { return f.rejects.Count() }

// Causes are the rows to fix, grouped by cause.
func (f *Files) Causes() []Cause { return f.causes.list() }

// Close records what is left, waiting until it is stored, and finishes both
// files: the results in input line order, the rejects file removed when
// there were none.
func (f *Files) Close() error {
	err := errors.Join(f.Flush(), f.record(true))
	return errors.Join(err, f.results.Close(), f.rejects.Close())
}

// LockInput keeps a second run off the same input, whatever its results
// file: the lock is on the input itself, taken without writing to it.
func LockInput(in *os.File, name string) error {
	return lockFile(in, "the input "+name)
}
