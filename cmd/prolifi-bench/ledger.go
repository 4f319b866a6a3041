package main

import (
	"fmt"
	"os"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// appended is how many rows the second rerun finds added to the input.
const appended = 100

// reruns imports n rows, runs the same import again over the same ledger,
// then again after appending rows to the input: the first rerun must send
// nothing, the second only the new rows.
func (b *bench) reruns() ([]row, error) {
	n := b.sz.rerunRows
	in, seed, err := b.input(n)
	if err != nil {
		return nil, err
	}
	defer os.Remove(in)
	srv, err := serve(sandbox.Config{Lean: true})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	c := child{in: in, ledger: b.ledger(), srv: srv, args: fullSpeed(b.sz.workers)}
	first, err := b.run(c)
	if err != nil {
		return nil, err
	}
	again, err := b.run(c)
	if err != nil {
		return nil, err
	}
	if err := generate(in, appended, seed, n); err != nil {
		return nil, err
	}
	more, err := b.run(c)
	if err != nil {
		return nil, err
	}
	return []row{
		rowf(fmt.Sprintf("rerun of an unchanged %d-row import", n), fmt.Sprintf("%d requests, %s", again.summary.Requests, again.wall.Round(10*time.Millisecond)),
			"0 requests, < 10 s", "process wall time; %d exists; the first run sent %d requests in %s",
			again.summary.Counts["exists"], first.summary.Requests, first.wall.Round(10*time.Millisecond)),
		rowf(fmt.Sprintf("rerun after appending %d rows", appended), fmt.Sprintf("%d requests", more.summary.Requests),
			fmt.Sprintf("exactly %d", appended), "%d created, %d exists, in %s",
			more.summary.Counts["created"], more.summary.Counts["exists"], more.wall.Round(10*time.Millisecond)),
	}, nil
}
