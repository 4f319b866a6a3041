package main

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// The rate-limit scenarios: the server allows serverRate requests a second
// and the importer is asked for five times that, as in issue 14.
const (
	serverRate    = 200
	askedRate     = 1000
	limitWorkers  = 16
	droppedRate   = serverRate / 2
	droppedTarget = 95 // rows a second after the drop
)

func limitArgs() []string {
	return []string{"--rate", fmt.Sprint(askedRate), "--workers", fmt.Sprint(limitWorkers), "--max-retries", "50"}
}

// limitCase is one server limit the importer must find.
type limitCase struct {
	name   string
	cfg    sandbox.Config
	factor float64 // the target is factor × ideal + one Retry-After
	max429 int     // -1: no target
}

// limits runs the importer against each kind of limit, then against a
// limit that drops halfway through the run.
func (b *bench) limits() ([]row, error) {
	n := b.sz.limitRows
	bucket := sandbox.Config{Lean: true, Rate: serverRate, Burst: 10}
	headers := bucket
	headers.RateHeaders = true
	window := sandbox.Config{Lean: true, Rate: serverRate, Window: time.Second}
	var rows []row
	for _, lc := range []limitCase{
		{"token bucket 200/s, burst 10, no rate-limit headers", bucket, 1.05, 3},
		{"token bucket 200/s, burst 10, with rate-limit headers", headers, 1.05, 1},
		{"fixed windows of 200 a second, no headers", window, 1.10, -1},
	} {
		res, _, err := b.importRun(n, lc.cfg, limitArgs()...)
		if err != nil {
			return rows, err
		}
		rows = append(rows, lc.row(n, res))
	}
	drop, err := b.drop(n)
	return append(rows, drop...), err
}

// row says how long the run took beside the ideal, and how many 429s it met.
func (lc limitCase) row(n int, res importResult) row {
	ideal := float64(n) / serverRate
	target := fmt.Sprintf("ideal %.1f s; target ≤ %.1f s (%.2f × ideal + one Retry-After)", ideal, lc.factor*ideal+1, lc.factor)
	if lc.max429 >= 0 {
		target += fmt.Sprintf(", ≤ %d × 429", lc.max429)
	}
	s := res.summary
	return rowf(fmt.Sprintf("%s, --rate %d: %d rows", lc.name, askedRate, n),
		fmt.Sprintf("%.2f s (%.3f × ideal), %d × 429", s.Elapsed, s.Elapsed/ideal, s.Throttled), target,
		"%d requests; the run's own elapsed time", s.Requests)
}

// drop runs the importer against a bucket of 200/s whose limit falls to
// 100/s once half the rows are in, and says how soon it followed.
func (b *bench) drop(n int) ([]row, error) {
	in, _, err := b.input(n)
	if err != nil {
		return nil, err
	}
	defer os.Remove(in)
	srv, err := serve(sandbox.Config{Lean: true, Rate: serverRate, Burst: 10})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	var changed atomic.Int64
	srv.rec.onAccepted = func(k int) {
		if k == n/2 {
			srv.emu.SetLimit(droppedRate, 0)
			changed.Store(time.Now().UnixNano())
		}
	}
	res, err := b.run(child{in: in, ledger: b.ledger(), srv: srv, args: limitArgs()})
	if err != nil {
		return nil, err
	}
	if got := res.summary.Counts["created"]; got != n {
		return nil, fmt.Errorf("importer created %d of %d rows (%s)", got, n, res.summary.Outcome)
	}
	a := afterChange(srv.rec.snapshot(), time.Unix(0, changed.Load()))
	what := fmt.Sprintf("limit drops from %d/s to %d/s after %d of %d rows (bucket, no headers)", serverRate, droppedRate, n/2, n)
	return []row{
		rowf(what+": rows/s from 3 s after the drop to the end", fmt.Sprintf("%.1f rows/s", a.from3s), fmt.Sprintf("≥ %d (the new limit is %d)", droppedTarget, droppedRate),
			"%d × 429 in the whole run, %d after the drop", res.summary.Throttled, a.throttled),
		rowf(what+": time from the drop to the end of its last 429 pause", fmt.Sprintf("%.1f s", a.settled.Seconds()), "≤ 3 s",
			"%.1f rows/s from then to the end; the pause is the server's Retry-After of 1 s", a.fromSettled),
	}, nil
}

// followed is how the run went after the limit changed.
type followed struct {
	from3s      float64       // rows a second from 3 s after the change to the end
	settled     time.Duration // from the change to the end of the last 429's pause
	fromSettled float64       // rows a second from then to the end
	throttled   int           // 429s after the change
}

// afterChange reads the calls after a change of limit at at.
func afterChange(calls []call, at time.Time) followed {
	var ok []time.Time
	f := followed{}
	for _, c := range calls {
		switch {
		case c.at.Before(at):
		case c.status == http.StatusTooManyRequests:
			f.throttled++
			f.settled = max(f.settled, c.at.Add(time.Second).Sub(at))
		case c.status < 300:
			ok = append(ok, c.at)
		}
	}
	if len(ok) == 0 {
		return f
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i].Before(ok[j]) })
	f.from3s = rateFrom(ok, at.Add(3*time.Second))
	f.fromSettled = rateFrom(ok, at.Add(f.settled))
	return f
}

// rateFrom is the rate of the sorted times ok from from to the last.
func rateFrom(ok []time.Time, from time.Time) float64 {
	i := sort.Search(len(ok), func(i int) bool { return !ok[i].Before(from) })
	end := ok[len(ok)-1]
	if i == len(ok) || !end.After(from) {
		return 0
	}
	return float64(len(ok)-i) / end.Sub(from).Seconds()
}
