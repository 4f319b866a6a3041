// Command prolifi-import creates Prolifi customers from a CSV export. See
// README.md, or run it with --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the run winds down gracefully; restoring the
	// default handler lets a second one end the process at once. The
	// ledger already holds every request that may have gone out.
	go func() { <-ctx.Done(); stop() }()
	tuneGC(os.Getenv)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// tuneGC trades memory the run can spare for CPU: garbage may pile up to
// 32 MiB before a collection is forced, and collecting less often saves
// about a tenth of the CPU per row. The run's live memory does not grow
// with the input (the ledger keeps what it saw), so one limit fits every
// size. GOGC or GOMEMLIMIT in the environment win. Only main calls it, so
// tests that call run leave the process's GC alone.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(32 << 20)
}
