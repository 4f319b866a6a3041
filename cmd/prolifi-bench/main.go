// Command prolifi-bench measures prolifi-import against the emulator on this
// machine and prints one table, each figure beside its ideal or target: the
// ceiling a bare load loop reaches and the importer's share of it, CPU per
// row, rate fidelity, how fast the importer finds a server's rate limit
// (a token bucket with and without rate-limit headers, fixed windows, a
// limit that drops mid-run), reruns over the ledger, and peak memory. It
// generates its own input, builds the importer, serves the emulator in this
// process and runs the importer as a child process, so that the child's
// memory and CPU are its own; every run keeps its own ledger.
//
//	go run ./cmd/prolifi-bench                 # the full run, about ten minutes
//	go run ./cmd/prolifi-bench --quick         # smaller inputs, a minute or two
//	go run ./cmd/prolifi-bench --only limits   # some measurements only
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prolifi-bench:", err)
		os.Exit(1)
	}
}

// sizes are the inputs of the measurements.
type sizes struct {
	ceilingRows, fidelityRows, limitRows, rerunRows int
	memRows                                         []int
	workers                                         int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "loop" {
		return loopMain(ctx, args[1:], stdout)
	}
	fs := flag.NewFlagSet("prolifi-bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "smaller inputs (a minute or two instead of ten)")
	workers := fs.Int("workers", 32, "concurrency of the ceiling measurement, for the load loop and the importer alike")
	only := fs.String("only", "", "comma-separated measurements to run: "+strings.Join(names(), ", ")+" (default: all)")
	childLog := fs.String("child-log", "", "show each importer run's summary and log, at this level (debug shows every 429)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz := sizes{ceilingRows: 200_000, fidelityRows: 10_000, limitRows: 4_000, rerunRows: 100_000,
		memRows: []int{10_000, 100_000, 1_000_000}, workers: *workers}
	if *quick {
		sz = sizes{ceilingRows: 20_000, fidelityRows: 2_500, limitRows: 2_000, rerunRows: 20_000,
			memRows: []int{10_000, 100_000}, workers: *workers}
	}
	chosen, err := choose(*only)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "prolifi-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, bare := filepath.Join(dir, "prolifi-import"), filepath.Join(dir, "prolifi-import-noledger")
	fmt.Fprintln(stderr, "building prolifi-import …")
	for _, build := range [][]string{{"-o", bin}, {"-tags", "noledger", "-o", bare}} {
		args := append(append([]string{"build"}, build...), "./cmd/prolifi-import")
		if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("build prolifi-import (run from the repository root): %v\n%s", err, out)
		}
	}
	b := &bench{ctx: ctx, dir: dir, bin: bin, noLedgerBin: bare, log: stderr, sz: sz, childLog: *childLog}
	var rows []row
	for i, m := range chosen {
		fmt.Fprintf(stderr, "%d. %s …\n", i+1, m.name)
		got, err := m.run(b)
		for _, r := range got {
			fmt.Fprintln(stderr, "  "+r.String())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		rows = append(rows, got...)
	}
	printTable(stdout, rows)
	return nil
}

// bench is what every measurement shares.
type bench struct {
	ctx context.Context
	dir string
	bin string
	// noLedgerBin is the importer built with -tags noledger: the ceiling
	// measurement times it beside bin to show what the ledger costs.
	noLedgerBin string
	log         io.Writer
	sz          sizes
	seq         int
	// childLog is the importer's --log-level, its output shown ("": warn,
	// shown only when a run fails).
	childLog string
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "\nMachine: %s, %d cores, %s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| measurement | result | ideal or target | detail |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintln(w, r.String())
	}
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
