package report

import (
	"context"
	"errors"
	"fmt"
	"os"
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
	results  *Results
	rejects  *Rejects
	recorder Recorder
	pending  []importer.Result // outcomes not yet handed to the recorder
	inflight *recording        // the batch being recorded, if any
	causes   *causes
	rows     atomic.Int64
}

// recordAhead is how many outcomes may wait while a batch is being
// recorded before Flush waits for it: memory stays bounded when the ledger
// is slower than the API.
const recordAhead = 4096

// recording is a batch of outcomes that the recorder is storing in the
// background; done closes when it has, with err set.
type recording struct {
	batch []importer.Result
	err   error
	done  chan struct{}
}

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
	return &Files{results: res, rejects: rej, recorder: cfg.Recorder, causes: newCauses()}, nil
}

// Write records one result: for the ledger first (from the next Flush),
// so that a results file that cannot be written does not cost the ledger
// its outcome.
func (f *Files) Write(r importer.Result) error {
	if r.Sent && f.recorder != nil {
		f.pending = append(f.pending, r)
	}
	f.causes.add(r)
	f.rows.Add(1)
	return errors.Join(f.results.Write(r), f.rejects.Write(r))
}

// Flush hands the outcomes gathered since the last Flush to the recorder,
// as one batch, and the rows written to the operating system.
//
// A batch is recorded in the background, one at a time: the run's drain
// calls Flush every few milliseconds, and a ledger commit (an fsync, and a
// wait for the importer's next marks to share it) would hold every worker
// up as long. Outcomes that arrive meanwhile wait for the next Flush after
// the batch is stored, so batches grow as the ledger slows, up to
// recordAhead. An error from the recorder comes back from a later Flush or
// from Close. A crash loses at most the outcomes not yet stored; their rows
// are pending in the ledger, which a later run treats as unknown outcomes.
func (f *Files) Flush() error {
	return errors.Join(f.record(len(f.pending) >= recordAhead), f.results.Flush(), f.rejects.Flush())
}

// record hands the pending outcomes to the recorder unless a batch is still
// being recorded; with wait, it first waits for that batch. It returns the
// error of a batch that has ended.
func (f *Files) record(wait bool) error {
	var err error
	if r := f.inflight; r != nil {
		if !wait {
			select {
			case <-r.done:
			default:
				return nil
			}
		}
		<-r.done
		f.inflight, err = nil, r.err
		clear(r.batch)
		if f.pending == nil {
			f.pending = r.batch[:0] // reused: the recorder is done with it
		}
	}
	if err != nil {
		err = fmt.Errorf("record outcomes in the ledger: %w", err)
	}
	if len(f.pending) == 0 {
		return err
	}
	r := &recording{batch: f.pending, done: make(chan struct{})}
	f.inflight, f.pending = r, nil
	go func() {
		defer close(r.done)
		r.err = f.recorder.Record(context.Background(), r.batch)
	}()
	return err
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
	err := errors.Join(f.Flush(), f.record(true), f.record(true))
	return errors.Join(err, f.results.Close(), f.rejects.Close())
}

// LockInput keeps a second run off the same input, whatever its results
// file: the lock is on the input itself, taken without writing to it.
func LockInput(in *os.File, name string) error {
	return lockFile(in, "the input "+name)
}
