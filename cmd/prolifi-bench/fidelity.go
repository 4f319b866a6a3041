package main

import (
	"fmt"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// fidelityRate is the --rate of the fidelity measurement.
const fidelityRate = 500

// fidelity measures how close the importer comes to --rate 500 when each
// answer takes 50 ms, and whether any one-second window saw more than rate
// + burst requests at the server.
func (b *bench) fidelity() ([]row, error) {
	n := b.sz.fidelityRows
	res, srv, err := b.importRun(n, sandbox.Config{Lean: true, Latency: 50 * time.Millisecond, Trace: true}, "--rate", fmt.Sprint(fidelityRate))
	if err != nil {
		return nil, err
	}
	achieved := float64(res.summary.Rows) / res.summary.Elapsed
	calls := srv.rec.snapshot()
	first, last := calls[0].at, calls[0].at
	for _, c := range calls {
		first, last = minTime(first, c.at), maxTime(last, c.at)
	}
	arriving := float64(len(calls)-1) / last.Sub(first).Seconds()
	return []row{
		rowf(fmt.Sprintf("rate fidelity at --rate %d, 50 ms latency", fidelityRate), fmt.Sprintf("%.1f%%", 100*achieved/fidelityRate), "≥ 99%",
			"%.1f rows/s over %d rows (rows ÷ the run's elapsed time, start-up and the last answer's 50 ms included); requests arrived at %.1f/s (%.1f%%) from the first to the last; workers grown by the importer",
			achieved, n, arriving, 100*arriving/fidelityRate),
		rowf("most requests in any 1-second window", fmt.Sprint(srv.emu.MaxInWindow(time.Second)), fmt.Sprintf("≤ rate + burst = %d", fidelityRate+1), "as the emulator received them"),
	}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
