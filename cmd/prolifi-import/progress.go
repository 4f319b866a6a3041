package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/importer"
)

// countingReader counts the bytes read from the input, for progress and ETA.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress reports a run as it goes: a bar on a terminal, log lines
// elsewhere. The bar counts rows against the input's line count; the log
// line also gives the share of the input's bytes read.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(o *options, stderr io.Writer, log *zap.Logger, total int64, in *countingReader, size int64, s *sinks, im *importer.Importer) *progress {
	p := &progress{done: make(chan struct{})}
	mode := o.progress
	if mode == "auto" {
		mode = "log"
		if isTerminal(stderr) {
			mode = "bar"
		}
	}
	if mode == "off" {
		return p
	}
	start := time.Now()
	rowsPerSec := func() float64 {
		return float64(s.rows.Load()) / max(time.Since(start).Seconds(), 1e-3)
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		switch mode {
		case "bar":
			bar := progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetWidth(30),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetRenderBlankState(true),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("rows"),
				progressbar.OptionShowDescriptionAtLineEnd(),
			)
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				_, _, throttled, rate := im.Progress()
				bar.Describe(fmt.Sprintf("%.0f rows/s · 429s %d · limit %.0f/s", rowsPerSec(), throttled, rate))
				_ = bar.Set64(min(s.rows.Load(), total))
				select {
				case <-p.done:
					_ = bar.Finish()
					fmt.Fprintln(stderr)
					return
				case <-tick.C:
				}
			}
		case "log":
			tick := time.NewTicker(o.progressInt)
			defer tick.Stop()
			for {
				select {
				case <-p.done:
					return
				case <-tick.C:
				}
				req, retries, throttled, rate := im.Progress()
				done := s.rows.Load()
				rps := rowsPerSec()
				eta := time.Duration(0)
				if rps > 0 && total > done {
					eta = time.Duration(float64(total-done) / rps * float64(time.Second)).Round(time.Second)
				}
				log.Info("progress", zap.Int64("rows", done), zap.Int64("rows_total_estimate", total),
					zap.Float64("input_read_pct", 100*float64(min(in.n.Load(), size))/float64(max(size, 1))), zap.Duration("eta", eta),
					zap.Float64("rows_per_second", rps), zap.Int64("requests", req), zap.Int64("retries", retries),
					zap.Int64("rate_limited", throttled), zap.Float64("rate_limit", rate))
			}
		}
	}()
	return p
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
