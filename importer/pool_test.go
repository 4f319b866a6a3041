package importer

import (
	"context"
	"testing"
	"time"
)

// TestPoolSizedBeforeTheFirstAnswer: before any answer tells the latency,
// the pool that sizes itself is sized for openingLatency, so that the
// first round trip does not go out with minAutoWorkers alone; once an
// answer came back, the latency seen is what counts.
func TestPoolSizedBeforeTheFirstAnswer(t *testing.T) {
	r := newRun(context.Background(), New(nil, Config{Rate: 500}))
	defer r.stop(nil)
	defer r.cancelReqs()
	if got, want := r.wantWorkers(), int(500*openingLatency.Seconds()*1.25)+1; got < want || got <= minAutoWorkers {
		t.Errorf("before any answer: %d workers wanted, want %d", got, want)
	}
	r.observeLatency(4 * time.Millisecond)
	if got := r.wantWorkers(); got != 4 { // ⌈500 × 0.004 × 1.25⌉ + 1
		t.Errorf("at 4 ms: %d workers wanted, want 4", got)
	}
}
