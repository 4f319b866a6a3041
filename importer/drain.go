package importer

import (
	"fmt"
	"time"
)

// flushDelay bounds how long a finished row may wait in the sink's buffer.
// Flushing after every row costs a write(2) (and a ledger commit) each;
// under load, rows finish microseconds apart and one flush every few
// milliseconds covers dozens.
const flushDelay = 5 * time.Millisecond

// drainer is the one goroutine that owns the sink.
type drainer struct {
	r         *run
	sink      Sink
	err       error
	dirty     bool
	armed     bool
	lastFlush time.Time
	timer     *time.Timer
	bad, sent int // rows sent that ended invalid or failed, and rows sent, for the error budget
}

// drain writes every result to the sink, counts it, and flushes the sink
// whenever no result is waiting, but not more often than every flushDelay.
// A sink error stops the run, but the results of rows already in flight are
// still handed to the sink: a results file on a full disk must not keep the
// ledger from recording what those rows did. The first error is returned.
func (r *run) drain(sink Sink) error {
	d := &drainer{r: r, sink: sink, timer: time.NewTimer(time.Hour)}
	d.timer.Stop()
	defer d.timer.Stop()
	for {
		select {
		case <-d.timer.C:
			d.armed = false
			if d.dirty {
				d.flush()
			}
		case res, ok := <-r.results:
			if !ok {
				if d.dirty {
					d.flush()
				}
				return d.err
			}
			d.write(res)
		}
	}
}

func (d *drainer) write(res Result) {
	if err := d.sink.Write(res); err != nil {
		d.fail(fmt.Errorf("write result for line %d: %w", res.Line, err))
	}
	d.dirty = true
	if len(d.r.results) == 0 {
		if wait := flushDelay - time.Since(d.lastFlush); wait <= 0 {
			d.flush()
		} else if !d.armed {
			d.armed = true
			d.timer.Reset(wait)
		}
	}
	d.r.counters.finished(res.Status)
	d.budget(res)
}

func (d *drainer) flush() {
	d.dirty, d.lastFlush = false, time.Now()
	if err := d.sink.Flush(); err != nil {
		d.fail(fmt.Errorf("flush results: %w", err))
	}
}

// fail keeps the first sink error and stops the run with it.
func (d *drainer) fail(err error) {
	if d.err == nil {
		d.err = err
		d.r.stop(err)
	}
}

// budget stops the run once more rows sent than --max-errors allows ended
// invalid or failed (see Config.MaxErrors for what counts).
func (d *drainer) budget(res Result) {
	if !res.Sent || res.failedBefore {
		return
	}
	d.sent++
	if res.Status != StatusInvalid && res.Status != StatusFailed {
		return
	}
	d.bad++
	cfg := d.r.cfg
	over := cfg.MaxErrors > 0 && d.bad > cfg.MaxErrors ||
		cfg.MaxErrorRate > 0 && d.sent >= 100 && float64(d.bad) > cfg.MaxErrorRate*float64(d.sent)
	if over {
		d.r.abort(&AbortError{Reason: fmt.Sprintf("error budget spent: %d of the %d rows sent so far failed at the API (--max-errors)", d.bad, d.sent)})
	}
}
