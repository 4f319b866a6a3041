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
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "prolifi-sandbox:", err)
		os.Exit(2)
	}
}

// usage follows the flags in --help: how to change the limit while the
// emulator runs.
const usage = `
While it runs, the rate limit can be read and changed for every key at once:
  curl %[1]s
  curl -X POST '%[1]s?rate=100&burst=10'    (burst optional; rate=0 lifts the limit)
`

// run serves until ctx ends. The first line on stdout is the base URL.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prolifi-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg sandbox.Config
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (use port 0 for any free port)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "requests per second allowed per key (0: no limit)")
	fs.IntVar(&cfg.Burst, "burst", 0, "rate-limit bucket size (0: 10, or the rate when it is lower)")
	fs.DurationVar(&cfg.Window, "window", 0, "limit in fixed windows of this length, rate × window requests each, instead of a bucket")
	fs.BoolVar(&cfg.RateHeaders, "rate-headers", false, "send X-RateLimit-* and RateLimit-Policy/RateLimit headers (the API reference documents none)")
	fs.DurationVar(&cfg.Latency, "latency", 0, "delay added before every answer")
	fs.Float64Var(&cfg.FailRate, "fail-rate", 0, "probability of a 5xx answer")
	fs.Float64Var(&cfg.ResetRate, "reset-rate", 0, "probability a connection is dropped before the request is handled")
	fs.Float64Var(&cfg.LostRate, "lost-rate", 0, "probability a customer is created and the answer is then dropped")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed for fault injection")
	fs.BoolVar(&cfg.Lean, "lean", false, "keep only external ids and ids in memory (for very large runs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of prolifi-sandbox:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), usage, "http://ADDR"+sandbox.LimitPath)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	api, err := sandbox.Start(*addr, sandbox.New(cfg))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, api.BaseURL)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(stderr, "rate limit: curl -X POST '%s%s?rate=R&burst=B'\n", api.URL, sandbox.LimitPath)
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return api.Shutdown(shutdown)
}
