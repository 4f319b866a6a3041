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
	pending  []importer.Result // outcomes not yet recorded
	causes   *causes
	rows     atomic.Int64
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
	return &Files{results: res, rejects: NewRejects(cfg.Rejects, cfg.Header, cfg.Delimiter),
		recorder: cfg.Recorder, causes: newCauses()}, nil
}

// Write records one result: in the ledger first (at the next Flush), so
// that a results file that cannot be written does not cost the ledger its
// outcome.
func (f *Files) Write(r importer.Result) error {
	if r.Sent && f.recorder != nil {
		f.pending = append(f.pending, r)
	}
	f.causes.add(r)
	f.rows.Add(1)
	return errors.Join(f.results.Write(r), f.rejects.Write(r))
}

// Flush records the outcomes gathered since the last Flush in the ledger,
// as one batch, and hands the rows written to the operating system.
func (f *Files) Flush() error {
	var recordErr error
	if len(f.pending) > 0 {
		if err := f.recorder.Record(context.Background(), f.pending); err != nil {
			recordErr = fmt.Errorf("record outcomes in the ledger: %w", err)
		}
		clear(f.pending)
		f.pending = f.pending[:0]
	}
	return errors.Join(recordErr, f.results.Flush(), f.rejects.Flush())
}

// Rows is the number of results written so far, safe to read from any
// goroutine (for progress).
func (f *Files) Rows() int64 { return f.rows.Load() }

// Rejected is the number of rows written to the rejects file.
func (f *Files) Rejected() int { return f.rejects.Count() }

// Causes are the rows to fix, grouped by cause.
func (f *Files) Causes() []Cause { return f.causes.list() }

// Close records what is left, and finishes both files: the results in input
// line order, the rejects file removed when there were none.
func (f *Files) Close() error {
	err := f.Flush()
	return errors.Join(err, f.results.Close(), f.rejects.Close())
}

// LockInput keeps a second run off the same input, whatever its results
// file: the lock is on the input itself, taken without writing to it.
func LockInput(in *os.File, name string) error {
	return lockFile(in, "the input "+name)
}
