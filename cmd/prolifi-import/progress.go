package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/importer"
)

// progress reports a run as it goes: a bar on a terminal, log lines
// elsewhere. It reads the importer's counters and the bytes read; it never
// writes to the run.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

// meter is what progress reads.
type meter struct {
	im    *importer.Importer
	in    *input
	total int64 // records expected; 0 when unknown (a stream, a workbook)
	start time.Time
}

func (m meter) rowsPerSecond(st importer.Stats) float64 {
	return float64(st.Rows()) / max(time.Since(m.start).Seconds(), 1e-3)
}

func startProgress(l logFlags, stderr io.Writer, log *zap.Logger, m meter) *progress {
	p := &progress{done: make(chan struct{})}
	mode := l.progress
	if mode == "auto" {
		mode = "log"
		if isTerminal(stderr) {
			mode = "bar"
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		switch mode {
		case "bar":
			p.bar(stderr, m)
		case "log":
			p.logLines(l.interval, log, m)
		}
	}()
	return p
}

// bar draws a progress bar, rows against the records expected.
func (p *progress) bar(stderr io.Writer, m meter) {
	total := m.total
	if total == 0 {
		total = -1 // a spinner: the end is not known
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr), progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionShowCount(), progressbar.OptionSetItsString("rows"), progressbar.OptionShowDescriptionAtLineEnd(),
	)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		st := m.im.Snapshot()
		bar.Describe(fmt.Sprintf("%.0f rows/s · 429s %d · limit %.0f/s", m.rowsPerSecond(st), st.Throttled, st.Rate))
		rows := int64(st.Rows())
		if m.total > 0 {
			rows = min(rows, m.total)
		}
		_ = bar.Set64(rows)
		select {
		case <-p.done:
			// Clear the bar rather than fill it: the summary says how far
			// the run got, and a full bar would claim what a stopped run
			// did not do.
			_ = bar.Clear()
			return
		case <-tick.C:
		}
	}
}

// logLines writes a progress log line every interval.
func (p *progress) logLines(interval time.Duration, log *zap.Logger, m meter) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
		}
		st := m.im.Snapshot()
		rps := m.rowsPerSecond(st)
		fields := []zap.Field{zap.Int("rows", st.Rows()), zap.Int64("bytes_read", m.in.read.Load()),
			zap.Float64("rows_per_second", rps), zap.Int64("requests", st.Requests), zap.Int64("retries", st.Retries),
			zap.Int64("rate_limited", st.Throttled), zap.Float64("rate_limit", st.Rate)}
		if m.total > 0 {
			left := max(m.total-int64(st.Rows()), 0)
			fields = append(fields, zap.Int64("rows_total_estimate", m.total),
				zap.Duration("eta", time.Duration(float64(left)/max(rps, 1e-9)*float64(time.Second)).Round(time.Second)))
		}
		if m.in.size > 0 {
			fields = append(fields, zap.Float64("input_read_pct", 100*float64(min(m.in.read.Load(), m.in.size))/float64(m.in.size)))
		}
		log.Info("progress", fields...)
	}
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
