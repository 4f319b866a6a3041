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
			if cap(r.rows) < r.batchMax {
				t.Errorf("rows channel holds %d, a batch is up to %d", cap(r.rows), r.batchMax)
			}
		})
	}
}
