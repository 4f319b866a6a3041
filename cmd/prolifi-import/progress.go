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
// elsewhere. The share done is the share of the input's bytes read, which
// needs no counting pass over a large file.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(o *options, stderr io.Writer, log *zap.Logger, size int64, in *countingReader, s *sinks, im *importer.Importer) *progress {
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
			bar := progressbar.NewOptions64(max(size, 1),
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetWidth(30),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetRenderBlankState(true),
				progressbar.OptionShowDescriptionAtLineEnd(),
			)
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				_, _, throttled, rate := im.Progress()
				bar.Describe(fmt.Sprintf("%d rows · %.0f rows/s · 429s %d · limit %.0f/s", s.rows.Load(), rowsPerSec(), throttled, rate))
				_ = bar.Set64(min(in.n.Load(), size))
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
				pct := 0.0
				if size > 0 {
					pct = 100 * float64(min(in.n.Load(), size)) / float64(size)
				}
				log.Info("progress", zap.Int64("rows", s.rows.Load()), zap.Float64("input_read_pct", pct),
					zap.Float64("rows_per_second", rowsPerSec()), zap.Int64("requests", req), zap.Int64("retries", retries),
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
