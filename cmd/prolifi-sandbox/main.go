// Command prolifi-sandbox serves the customers API emulator on a local
// address, for trying prolifi-import and for benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prolifi-sandbox:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
}

// run serves until ctx ends. The first line on stdout is the base URL.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prolifi-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg sandbox.Config
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (use port 0 for any free port)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "requests per second allowed per key (0: no limit)")
	fs.IntVar(&cfg.Burst, "burst", 0, "rate-limit bucket size (0: one second's worth)")
	fs.DurationVar(&cfg.Latency, "latency", 0, "delay added before every answer")
	fs.Float64Var(&cfg.FailRate, "fail-rate", 0, "probability of a 5xx answer")
	fs.Float64Var(&cfg.ResetRate, "reset-rate", 0, "probability a connection is dropped before the request is handled")
	fs.Float64Var(&cfg.LostRate, "lost-rate", 0, "probability a customer is created and the answer is then dropped")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed for fault injection")
	fs.BoolVar(&cfg.Lean, "lean", false, "keep only external ids and ids in memory (for very large runs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, stop, err := sandbox.New(cfg).Listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, base)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
