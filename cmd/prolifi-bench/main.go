// Command prolifi-bench measures prolifi-import against the emulator on this
// machine and prints one table: the ceiling a bare load loop reaches and the
// importer's share of it, rate fidelity, convergence under 429s, peak
// memory, and CPU per row. It generates its own input, builds the importer,
// serves the emulator in this process and runs the importer as a child
// process, so that the child's memory and CPU are its own.
//
//	go run ./cmd/prolifi-bench            # the full run, several minutes
//	go run ./cmd/prolifi-bench --quick    # smaller inputs, for a try
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prolifi-bench:", err)
		os.Exit(1)
	}
}

// sizes are the inputs of each measurement.
type sizes struct {
	ceilingRows, fidelityRows, convergeRows int
	memRows                                 []int
	workers                                 int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "loop" {
		return loopMain(ctx, args[1:], stdout)
	}
	fs := flag.NewFlagSet("prolifi-bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "smaller inputs (a minute instead of several)")
	workers := fs.Int("workers", 32, "concurrency of the ceiling measurement, for the load loop and the importer alike")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz := sizes{ceilingRows: 200_000, fidelityRows: 10_000, convergeRows: 10_000, memRows: []int{10_000, 100_000, 1_000_000}, workers: *workers}
	if *quick {
		sz = sizes{ceilingRows: 20_000, fidelityRows: 2_500, convergeRows: 2_000, memRows: []int{10_000, 100_000}, workers: *workers}
	}
	dir, err := os.MkdirTemp("", "prolifi-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "prolifi-import")
	fmt.Fprintln(stderr, "building prolifi-import …")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/prolifi-import").CombinedOutput(); err != nil {
		return fmt.Errorf("build prolifi-import (run from the repository root): %v\n%s", err, out)
	}
	b := &bench{ctx: ctx, dir: dir, bin: bin, log: stderr}
	var rows []string
	add := func(format string, a ...any) {
		line := fmt.Sprintf(format, a...)
		rows = append(rows, line)
		fmt.Fprintln(stderr, "  "+line)
	}

	// 1. The ceiling, and CPU per row at full speed. This machine is shared
	// and noisy, so the two are measured in turns, three times, and the
	// median ratio is reported with the range.
	fmt.Fprintf(stderr, "1. ceiling: %d requests, %d at a time, 3 rounds …\n", sz.ceilingRows, sz.workers)
	type round struct {
		loop loopResult
		imp  importResult
	}
	var rounds []round
	for range 3 {
		loop, err := b.loadLoop(sz.ceilingRows, sz.workers)
		if err != nil {
			return err
		}
		full, err := b.importRun(sz.ceilingRows, sandbox.Config{Lean: true}, "--rate", "1000000", "--burst", "1000", "--workers", fmt.Sprint(sz.workers))
		if err != nil {
			return err
		}
		rounds = append(rounds, round{loop, full})
		fmt.Fprintf(stderr, "  round: loop %.0f/s, importer %.0f/s, ratio %.2f\n", loop.perSec, full.rowsPerSec(), full.rowsPerSec()/loop.perSec)
	}
	sort.Slice(rounds, func(i, j int) bool {
		return rounds[i].imp.rowsPerSec()/rounds[i].loop.perSec < rounds[j].imp.rowsPerSec()/rounds[j].loop.perSec
	})
	lo, mid, hi := rounds[0], rounds[1], rounds[2]
	ratio := func(r round) float64 { return r.imp.rowsPerSec() / r.loop.perSec }
	add("| bare load loop, %d workers (median round) | %.0f requests/s | %d requests in %s |", sz.workers, mid.loop.perSec, sz.ceilingRows, mid.loop.elapsed.Round(time.Millisecond))
	add("| importer end to end, %d workers (median round) | %.0f rows/s | %d rows in %s (process wall time) |", sz.workers, mid.imp.rowsPerSec(), sz.ceilingRows, mid.imp.wall.Round(time.Millisecond))
	add("| ceiling ratio (target ≥ 0.85) | **%.2f** | median of 3 rounds; range %.2f to %.2f |", ratio(mid), ratio(lo), ratio(hi))
	add("| CPU per row at full speed | **%.1f µs** | user %.2fs + system %.2fs over %d rows (median round) |", mid.imp.cpuMicrosPerRow(), mid.imp.user.Seconds(), mid.imp.sys.Seconds(), sz.ceilingRows)

	// 2. Rate fidelity.
	fmt.Fprintf(stderr, "2. rate fidelity: --rate 500, 50 ms latency, %d rows …\n", sz.fidelityRows)
	fid, err := b.importRun(sz.fidelityRows, sandbox.Config{Lean: true, Latency: 50 * time.Millisecond, Trace: true}, "--rate", "500")
	if err != nil {
		return err
	}
	achieved := float64(fid.summary.Rows) / fid.summary.Elapsed
	add("| rate fidelity at --rate 500, 50 ms latency (target ≥ 98%%) | **%.1f%%** | %.1f rows/s over %d rows; workers grown by the importer |", 100*achieved/500, achieved, sz.fidelityRows)
	add("| most requests in any 1-second window (target ≤ rate + burst = 501) | **%d** | |", fid.maxPerSecond)

	// 3. Convergence under 429s.
	fmt.Fprintf(stderr, "3. convergence: server 200/s, --rate 1000, %d rows …\n", sz.convergeRows)
	conv, err := b.importRun(sz.convergeRows, sandbox.Config{Lean: true, Rate: 200}, "--rate", "1000", "--max-retries", "50")
	if err != nil {
		return err
	}
	ideal := float64(sz.convergeRows) / 200
	add("| 429 convergence: time ÷ ideal N/200 (target ≤ 1.15) | **%.3f** | %.1fs for %d rows, ideal %.1fs |", conv.summary.Elapsed/ideal, conv.summary.Elapsed, sz.convergeRows, ideal)
	add("| 429 convergence: 429s ÷ requests (target ≤ 5%%) | **%.2f%%** | %d of %d requests |", 100*float64(conv.summary.Throttled)/float64(conv.summary.Requests), conv.summary.Throttled, conv.summary.Requests)

	// 4. Memory.
	var peaks []int64
	for _, n := range sz.memRows {
		fmt.Fprintf(stderr, "4. memory: %d rows …\n", n)
		m, err := b.importRun(n, sandbox.Config{Lean: true}, "--rate", "1000000", "--burst", "1000", "--workers", fmt.Sprint(sz.workers))
		if err != nil {
			return err
		}
		peaks = append(peaks, m.maxRSS)
		add("| peak resident memory, %d rows | **%.1f MB** | %.0f rows/s |", n, float64(m.maxRSS)/1e6, m.rowsPerSec())
	}
	if n := len(peaks); n >= 2 {
		d := peaks[n-1] - peaks[n-2]
		add("| growth from %d to %d rows | %.1f MB | %.1f bytes per extra row |", sz.memRows[n-2], sz.memRows[n-1], float64(d)/1e6, float64(d)/float64(sz.memRows[n-1]-sz.memRows[n-2]))
	}

	fmt.Fprintf(stdout, "\nMachine: %s, %d cores, %s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(stdout, "| measurement | result | detail |")
	fmt.Fprintln(stdout, "|---|---|---|")
	for _, r := range rows {
		fmt.Fprintln(stdout, r)
	}
	return nil
}

type bench struct {
	ctx context.Context
	dir string
	bin string
	log io.Writer
	seq int
}

// serve runs an emulator on a free loopback port until stop is called.
func serve(cfg sandbox.Config) (base string, emu *sandbox.Server, stop func(), err error) {
	emu = sandbox.New(cfg)
	api, err := sandbox.Start("", emu)
	if err != nil {
		return "", nil, nil, err
	}
	return api.BaseURL, emu, api.Close, nil
}

type loopResult struct {
	elapsed time.Duration
	perSec  float64
}

// loadLoop is the ceiling: the client and transport the importer uses, n
// creates from w goroutines, and nothing else. It runs in a child process,
// as the importer does, so both meet the emulator on equal terms.
func (b *bench) loadLoop(n, w int) (loopResult, error) {
	base, _, stop, err := serve(sandbox.Config{Lean: true})
	if err != nil {
		return loopResult{}, err
	}
	defer stop()
	self, err := os.Executable()
	if err != nil {
		return loopResult{}, err
	}
	cmd := exec.CommandContext(b.ctx, self, "loop", "--base", base, "--n", fmt.Sprint(n), "--workers", fmt.Sprint(w))
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

type importResult struct {
	wall         time.Duration
	user, sys    time.Duration
	maxRSS       int64 // bytes
	summary      report.Summary
	maxPerSecond int
}

func (r importResult) rowsPerSec() float64 { return float64(r.summary.Rows) / r.wall.Seconds() }
func (r importResult) cpuMicrosPerRow() float64 {
	return float64((r.user + r.sys).Microseconds()) / float64(r.summary.Rows)
}

// importRun writes n rows, serves an emulator with cfg and runs the
// importer on them with args.
func (b *bench) importRun(n int, cfg sandbox.Config, args ...string) (importResult, error) {
	b.seq++
	in := filepath.Join(b.dir, fmt.Sprintf("in-%d.csv", b.seq))
	if err := generate(in, n, b.seq); err != nil {
		return importResult{}, err
	}
	defer os.Remove(in)
	base, emu, stop, err := serve(cfg)
	if err != nil {
		return importResult{}, err
	}
	defer stop()
	summary := filepath.Join(b.dir, fmt.Sprintf("summary-%d.json", b.seq))
	all := append([]string{"--base-url", base, "--progress", "off", "--log-level", "warn", "--summary-json", summary,
		"--results", filepath.Join(b.dir, fmt.Sprintf("results-%d.csv", b.seq))}, args...)
	cmd := exec.CommandContext(b.ctx, b.bin, append(all, in)...)
	cmd.Env = append(os.Environ(), "PROLIFI_API_KEY=sk_test_bench")
	cmd.Stderr = b.log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return importResult{}, err
	}
	// rusage's Maxrss for a child can report the parent's size (the child
	// is forked from this process before it execs), so the peak is read from
	// the child's own VmHWM while it runs.
	peak := make(chan int64, 1)
	done := make(chan struct{})
	go func() { peak <- watchPeakRSS(cmd.Process.Pid, done) }()
	err = cmd.Wait()
	wall := time.Since(start)
	close(done)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return importResult{}, err
	}
	res := importResult{wall: wall, maxRSS: <-peak}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.user = time.Duration(ru.Utime.Nano())
		res.sys = time.Duration(ru.Stime.Nano())
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		return res, fmt.Errorf("importer wrote no summary (exit %d)", cmd.ProcessState.ExitCode())
	}
	if err := json.Unmarshal(data, &res.summary); err != nil {
		return res, err
	}
	if got := res.summary.Counts["created"]; got != n {
		return res, fmt.Errorf("importer created %d of %d rows (%s)", got, n, res.summary.Outcome)
	}
	if cfg.Trace {
		res.maxPerSecond = emu.MaxInWindow(time.Second)
	}
	return res, nil
}

// watchPeakRSS samples /proc/PID/status every 20 ms until done and returns
// the largest VmHWM (peak resident set since exec) seen, in bytes.
func watchPeakRSS(pid int, done <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var best int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
					best = max(best, kb*1024)
				}
			}
		}
		select {
		case <-done:
			return best
		case <-tick.C:
		}
	}
}

// generate writes n distinct, valid rows.
func generate(path string, n, seed int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "Customer ID,Email,First Name,Last Name,Phone,metadata.plan")
	for i := range n {
		fmt.Fprintf(w, "b%d-%08d,user%d.%d@example.com,Given%d,Family%d,+1 555 %07d,pro\n", seed, i, seed, i, i%1000, i%997, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
