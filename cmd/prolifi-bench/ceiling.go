package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

// round is one turn of the ceiling measurement: the load loop, the
// importer built without its ledger, and the importer, on the same number
// of rows.
type round struct {
	loop loopResult
	bare importResult // built with -tags noledger
	imp  importResult
}

func (r round) ratio() float64     { return r.imp.rowsPerSec() / r.loop.perSec }
func (r round) bareRatio() float64 { return r.bare.rowsPerSec() / r.loop.perSec }

// ledgerShare is the importer's throughput as a share of its throughput
// without the ledger.
func (r round) ledgerShare() float64 { return r.imp.rowsPerSec() / r.bare.rowsPerSec() }

// ceiling measures the importer at full speed against the bare load loop,
// and against itself without the ledger. This machine is shared and noisy,
// so the three are measured in turns, three times, and medians are
// reported with their ranges.
func (b *bench) ceiling() ([]row, error) {
	n, w := b.sz.ceilingRows, b.sz.workers
	var rounds []round
	for range 3 {
		var r round
		var err error
		if r.loop, err = b.loadLoop(n, w); err != nil {
			return nil, err
		}
		if r.bare, _, err = b.importRunOf(b.noLedgerBin, n, sandbox.Config{Lean: true}, fullSpeed(w)...); err != nil {
			return nil, err
		}
		if r.imp, _, err = b.importRun(n, sandbox.Config{Lean: true}, fullSpeed(w)...); err != nil {
			return nil, err
		}
		rounds = append(rounds, r)
		fmt.Fprintf(b.log, "  round: loop %.0f/s, importer without ledger %.0f/s, importer %.0f/s, ratio %.2f, ledger share %.2f, %.1f µs/row\n",
			r.loop.perSec, r.bare.rowsPerSec(), r.imp.rowsPerSec(), r.ratio(), r.ledgerShare(), r.imp.cpuMicrosPerRow())
	}
	bare := spread(rounds, round.bareRatio)
	share := spread(rounds, round.ledgerShare)
	cpu := spread(rounds, func(r round) float64 { return r.imp.cpuMicrosPerRow() })
	bareCPU := spread(rounds, func(r round) float64 { return r.bare.cpuMicrosPerRow() })
	sort.Slice(rounds, func(i, j int) bool { return rounds[i].ratio() < rounds[j].ratio() })
	lo, mid, hi := rounds[0], rounds[1], rounds[2]
	return []row{
		rowf(fmt.Sprintf("bare load loop, %d workers (median round)", w), fmt.Sprintf("%.0f requests/s", mid.loop.perSec), "", "%d requests in %s", n, mid.loop.elapsed.Round(time.Millisecond)),
		rowf(fmt.Sprintf("importer end to end, %d workers (median round)", w), fmt.Sprintf("%.0f rows/s", mid.imp.rowsPerSec()), "", "%d rows in %s (process wall time), each run with its own ledger", n, mid.imp.wall.Round(time.Millisecond)),
		rowf("ceiling ratio", fmt.Sprintf("%.2f", mid.ratio()), "≥ 0.85", "median of 3 rounds; range %.2f to %.2f", lo.ratio(), hi.ratio()),
		rowf("ceiling ratio without the ledger", fmt.Sprintf("%.2f", bare.mid), "", "the importer built with -tags noledger, in the same rounds; range %.2f to %.2f", bare.lo, bare.hi),
		rowf("throughput kept with the ledger", fmt.Sprintf("%.2f", share.mid), "≥ 0.90", "importer ÷ importer without the ledger, round by round; median of 3, range %.2f to %.2f", share.lo, share.hi),
		rowf("CPU per row at full speed", fmt.Sprintf("%.1f µs", cpu.mid), "", "median of 3 rounds, range %.1f to %.1f µs (without the ledger %.1f µs); user %.2fs + system %.2fs over %d rows in the median-ratio round", cpu.lo, cpu.hi, bareCPU.mid, mid.imp.user.Seconds(), mid.imp.sys.Seconds(), n),
	}, nil
}

// span is the lowest, median and highest of three figures.
type span struct{ lo, mid, hi float64 }

// spread is the span of f over three rounds.
func spread(rounds []round, f func(round) float64) span {
	v := make([]float64, len(rounds))
	for i, r := range rounds {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return span{v[0], v[len(v)/2], v[len(v)-1]}
}

// fullSpeed are the importer's flags for a run the emulator does not limit.
func fullSpeed(workers int) []string {
	return []string{"--rate", "1000000", "--burst", "1000", "--workers", fmt.Sprint(workers)}
}

type loopResult struct {
	elapsed time.Duration
	perSec  float64
}

// loadLoop is the ceiling: the client and transport the importer uses, n
// creates from w goroutines, and nothing else. It runs in a child process,
// as the importer does, so both meet the emulator on equal terms.
func (b *bench) loadLoop(n, w int) (loopResult, error) {
	srv, err := serve(sandbox.Config{Lean: true})
	if err != nil {
		return loopResult{}, err
	}
	defer srv.stop()
	self, err := os.Executable()
	if err != nil {
		return loopResult{}, err
	}
	cmd := exec.CommandContext(b.ctx, self, "loop", "--base", srv.base, "--n", fmt.Sprint(n), "--workers", fmt.Sprint(w))
	cmd.Stderr = b.log
	// The importer collects garbage at GOGC 400 on its own; the loop gets the
	// same, so the ratio compares code, not GC settings.
	cmd.Env = append(os.Environ(), "GOGC=400")
	out, err := cmd.Output()
	if err != nil {
		return loopResult{}, fmt.Errorf("load loop: %w", err)
	}
	var r struct{ Seconds float64 }
	if err := json.Unmarshal(out, &r); err != nil {
		return loopResult{}, fmt.Errorf("load loop: %w", err)
	}
	el := time.Duration(r.Seconds * float64(time.Second))
	return loopResult{elapsed: el, perSec: float64(n) / r.Seconds}, nil
}

// loopMain is the child side of loadLoop; it prints {"Seconds": …}.
func loopMain(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loop", flag.ContinueOnError)
	base := fs.String("base", "", "API root")
	n := fs.Int("n", 0, "requests")
	w := fs.Int("workers", 32, "goroutines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := client.New(*base, "sk_test_bench", client.WithHTTPClient(&http.Client{Transport: client.NewTransport(*w)}))
	if err != nil {
		return err
	}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range *w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(*n) {
					return
				}
				_, _, err := c.CreateCustomer(ctx, client.CreateCustomerRequest{
					Email: fmt.Sprintf("loop%d@example.com", i), ExternalID: fmt.Sprintf("loop-%d", i), FirstName: "Load", LastName: "Loop"})
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return json.NewEncoder(stdout).Encode(struct{ Seconds float64 }{time.Since(start).Seconds()})
}
