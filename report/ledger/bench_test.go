package ledger

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchBatch is the batch size of the benchmarks, the importer's order.
const benchBatch = 256

// benchLedger is a writer on a ledger holding n created entries, x:0 up
// to x:n-1.
func benchLedger(b *testing.B, n int) *Ledger {
	b.Helper()
	l, err := Open(context.Background(), b.TempDir()+"/ledger.db", targetA(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	for start := 0; start < n; start += 1000 {
		var cs []Change
		for i := start; i < min(start+1000, n); i++ {
			cs = append(cs, benchOutcome(benchID("x:", i), i))
		}
		if err := l.Apply(context.Background(), cs); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

func benchOutcome(id string, line int) Change {
	return Change{Op: OpOutcome, Identity: id, Run: "bench", Line: line, State: StateCreated,
		CustomerID: "cus_0123456789abcdef", Email: "someone@example.com"}
}

func benchPending(id string, line int) Change {
	return Change{Op: OpPending, Identity: id, Run: "bench", Line: line,
		Email: "someone@example.com"}
}

// benchID is identity number i: prefix and a hash of i, so that an input's
// order is not the ledger's key order, as in a real export.
func benchID(prefix string, i int) string {
	z := uint64(i) + 0x9e3779b97f4a7c15 // splitmix64
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return fmt.Sprintf("%s%016x", prefix, z^(z>>31))
}

// sortedIDs gives batch i of identities that sort in the order they come.
func sortedIDs(prefix string, i int) []string {
	out := make([]string, benchBatch)
	for j := range out {
		out[j] = fmt.Sprintf("%s%012d", prefix, i*benchBatch+j)
	}
	return out
}

// ids gives batch i of identities in no order.
func ids(prefix string, i int) []string {
	out := make([]string, benchBatch)
	for j := range out {
		out[j] = benchID(prefix, i*benchBatch+j)
	}
	return out
}

// meter counts the rows and CPU time of the timed parts of a benchmark.
type meter struct {
	rows int
	cpu  time.Duration
	t0   time.Duration
}

func (m *meter) start() { m.t0 = cpuTime() }

func (m *meter) stop(rows int) {
	m.cpu += cpuTime() - m.t0
	m.rows += rows
}

// report gives wall and CPU time a row; the whole process's CPU, so that
// SQLite's and the garbage collector's work count.
func (m *meter) report(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(m.rows), "ns/row")
	if m.cpu > 0 {
		b.ReportMetric(float64(m.cpu.Nanoseconds())/float64(m.rows), "cpu-ns/row")
	}
}

func BenchmarkLookup(b *testing.B) {
	const held = 100_000
	l := benchLedger(b, held)
	ctx := context.Background()
	var m meter
	for i := 0; b.Loop(); i++ {
		batch := ids("x:", i%(held/benchBatch))
		m.start()
		found, err := l.Lookup(ctx, batch)
		m.stop(len(batch))
		if err != nil || len(found) != benchBatch {
			b.Fatalf("Lookup: %d found, %v", len(found), err)
		}
	}
	m.report(b)
}

// benchApply times Apply of batches that change builds; prepare, untimed,
// is applied before each.
func benchApply(b *testing.B, prepare, change func(id string, line int) Change) {
	l := benchLedger(b, 10_000)
	ctx := context.Background()
	batchOf := func(batch []string, f func(string, int) Change) []Change {
		cs := make([]Change, len(batch))
		for j, id := range batch {
			cs[j] = f(id, j)
		}
		return cs
	}
	var m meter
	for i := 0; b.Loop(); i++ {
		batch := ids("x:new-", i)
		if prepare != nil {
			b.StopTimer()
			if err := l.Apply(ctx, batchOf(batch, prepare)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		m.start()
		err := l.Apply(ctx, batchOf(batch, change))
		m.stop(len(batch))
		if err != nil {
			b.Fatal(err)
		}
	}
	m.report(b)
}

func BenchmarkApplyPending(b *testing.B) { benchApply(b, nil, benchPending) }

func BenchmarkApplyOutcome(b *testing.B) { benchApply(b, benchPending, benchOutcome) }

func BenchmarkApplySeen(b *testing.B) {
	benchApply(b, benchOutcome, func(id string, line int) Change {
		return Change{Op: OpSeen, Identity: id, Run: "bench2", Line: line}
	})
}

// BenchmarkRowCycle is a first import of 100,000 new rows, the ledger's
// whole part of it: each batch looked up, marked pending, its outcomes
// written; with identities in the ledger's key order (an export sorted by
// external_id) and in no order (emails), in batches of 65 (what the
// importer's channels hand the dispatcher) and 256.
func BenchmarkRowCycle(b *testing.B) {
	orders := []struct {
		name string
		id   func(i int) string
	}{
		{"sorted", func(i int) string { return fmt.Sprintf("x:b1-%08d", i) }},
		{"hashed", func(i int) string { return benchID("e:", i) }},
	}
	for _, order := range orders {
		for _, size := range []int{65, 256} {
			b.Run(fmt.Sprintf("%s/batch%d", order.name, size), func(b *testing.B) {
				var m meter
				for b.Loop() {
					benchRowCycle(b, &m, order.id, size)
				}
				m.report(b)
			})
		}
	}
}

// cycleRows is how many rows BenchmarkRowCycle imports a run.
const cycleRows = 100_000

func benchRowCycle(b *testing.B, m *meter, id func(i int) string, size int) {
	b.StopTimer()
	l, err := Open(context.Background(), b.TempDir()+"/ledger.db", targetA(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.writer.patience = 0 // one goroutine: no company to wait for
	ctx := context.Background()
	batch := make([]string, 0, size)
	pend, outs := make([]Change, 0, size), make([]Change, 0, size)
	b.StartTimer()
	m.start()
	for start := 0; start < cycleRows; start += size {
		batch, pend, outs = batch[:0], pend[:0], outs[:0]
		for i := start; i < min(start+size, cycleRows); i++ {
			batch = append(batch, id(i))
		}
		if _, err := l.Lookup(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for j, id := range batch {
			pend = append(pend, benchPending(id, start+j+2))
			outs = append(outs, benchOutcome(id, start+j+2))
		}
		if err := l.Apply(ctx, pend); err != nil {
			b.Fatal(err)
		}
		if err := l.Apply(ctx, outs); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(cycleRows)
}

// BenchmarkRerun100k is a nightly re-run of an unchanged 100,000-row
// export: every identity is looked up and marked seen, nothing is sent.
func BenchmarkRerun100k(b *testing.B) {
	const held = 100_000
	l := benchLedger(b, held)
	ctx := context.Background()
	var m meter
	for run := 0; b.Loop(); run++ {
		m.start()
		for i := range held / benchBatch {
			batch := ids("x:", i)
			found, err := l.Lookup(ctx, batch)
			if err != nil || len(found) != len(batch) {
				b.Fatalf("Lookup: %d found, %v", len(found), err)
			}
			cs := make([]Change, len(batch))
			for j, id := range batch {
				cs[j] = Change{Op: OpSeen, Identity: id, Run: fmt.Sprint("rerun", run), Line: i*benchBatch + j + 2}
			}
			if err := l.Apply(ctx, cs); err != nil {
				b.Fatal(err)
			}
		}
		m.stop(held / benchBatch * benchBatch)
	}
	m.report(b)
}
