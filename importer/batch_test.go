package importer

import (
	"context"
	"fmt"
	"testing"
)

// TestRowsChannelHoldsAFullBatch: at full speed the reader is ahead of
// dispatch, and a batch takes what waits in the rows channel; each batch is
// one ledger commit. A channel smaller than a batch cut every batch short
// (65 rows where 256 were waiting: four times the commits).
func TestRowsChannelHoldsAFullBatch(t *testing.T) {
	for _, rate := range []float64{0, 20, 1000, 1e6} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			r := newRun(context.Background(), New(nil, Config{Rate: rate}))
			defer r.stop(nil)
			defer r.cancelReqs()
			if cap(r.rows) < r.ahead() {
				t.Errorf("rows channel holds %d, a batch is up to %d", cap(r.rows), r.ahead())
			}
		})
	}
}

// TestBatchFollowsTheRate: dispatch marks about a second of sends at the
// rate the run goes at, not at --rate: rows marked and never sent are what
// a kill leaves to check by hand.
func TestBatchFollowsTheRate(t *testing.T) {
	r := newRun(context.Background(), New(nil, Config{Rate: 1e6}))
	defer r.stop(nil)
	defer r.cancelReqs()
	if got := r.ahead(); got != batchMax {
		t.Errorf("at full speed: batches of %d, want %d", got, batchMax)
	}
	r.setRate(98.5) // the search found a limit of about 100 a second
	if got := r.ahead(); got != 99 {
		t.Errorf("at 98.5 a second: batches of %d, want 99", got)
	}
}
