package main

import (
	"fmt"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// memory measures the importer's peak resident set at full speed for each
// input size, and how it grows per row between the two largest.
func (b *bench) memory() ([]row, error) {
	var rows []row
	var peaks []int64
	ns := b.sz.memRows
	for _, n := range ns {
		m, _, err := b.importRun(n, sandbox.Config{Lean: true}, fullSpeed(b.sz.workers)...)
		if err != nil {
			return rows, err
		}
		peaks = append(peaks, m.maxRSS)
		target := ""
		if n >= 1_000_000 {
			target = "≤ 64 MB"
		}
		rows = append(rows, rowf(fmt.Sprintf("peak resident memory, %d rows", n), fmt.Sprintf("%.1f MB", float64(m.maxRSS)/1e6), target, "%.0f rows/s, with its own ledger", m.rowsPerSec()))
	}
	if k := len(peaks); k >= 2 {
		d := peaks[k-1] - peaks[k-2]
		rows = append(rows, rowf(fmt.Sprintf("growth from %d to %d rows", ns[k-2], ns[k-1]), fmt.Sprintf("%.1f MB", float64(d)/1e6), "", "%.1f bytes per extra row", float64(d)/float64(ns[k-1]-ns[k-2])))
	}
	return rows, nil
}
