package importer

import (
	"math"
	"sync/atomic"
	"time"
)

// Counters count what one run does. Every field is atomic: workers, the
// dispatcher and the writer update them, and progress reads them while the
// run goes on. Snapshot is the only way out, so that progress, the summary
// and the summary JSON see the same numbers.
type Counters struct {
	start    time.Time
	byStatus [statusCount]atomic.Int64
	skipped  atomic.Int64 // rows not reached: --limit, or the run stopped
	creates  atomic.Int64
	lookups  atomic.Int64
	retries  atomic.Int64
	throttle atomic.Int64
	rate     atomic.Uint64 // float64 bits: the pacer's rate now
	workers  atomic.Int64
	limited  atomic.Bool // Config.Limit stopped the reading
}

// statusCount is the number of statuses Statuses lists.
const statusCount = 6

func statusIndex(s Status) int {
	for i, v := range Statuses() {
		if v == s {
			return i
		}
	}
	return -1
}

func (c *Counters) finished(s Status) {
	if i := statusIndex(s); i >= 0 {
		c.byStatus[i].Add(1)
	}
}

// Stats is a snapshot of a run's Counters.
type Stats struct {
	ByStatus     map[Status]int
	NotAttempted int   // rows read but left for a later run (the run stopped)
	Requests     int64 // every request: creates, look-ups and retries
	Creates      int64
	Lookups      int64 // look-ups after a 409 or an unreadable answer, and rechecks
	Retries      int64 // requests that repeated an earlier one of the same row
	Throttled    int64 // 429 answers
	Rate         float64
	Workers      int
	Limited      bool // Config.Limit stopped the reading before the input's end
	Elapsed      time.Duration
}

// Rows is the number of records that got a Result.
func (s Stats) Rows() int {
	n := 0
	for _, v := range s.ByStatus {
		n += v
	}
	return n
}

// ToFix is the number of records that need a person.
func (s Stats) ToFix() int {
	return s.ByStatus[StatusInvalid] + s.ByStatus[StatusFailed] + s.ByStatus[StatusDuplicate]
}

// Snapshot reads every counter at now.
func (c *Counters) Snapshot(now time.Time) Stats {
	st := Stats{ByStatus: make(map[Status]int, statusCount)}
	for i, s := range Statuses() {
		if n := int(c.byStatus[i].Load()); n > 0 {
			st.ByStatus[s] = n
		}
	}
	st.NotAttempted = int(c.skipped.Load())
	st.Creates, st.Lookups = c.creates.Load(), c.lookups.Load()
	st.Requests = st.Creates + st.Lookups
	st.Retries, st.Throttled = c.retries.Load(), c.throttle.Load()
	st.Rate = math.Float64frombits(c.rate.Load())
	st.Workers = int(c.workers.Load())
	st.Limited = c.limited.Load()
	st.Elapsed = now.Sub(c.start)
	return st
}
