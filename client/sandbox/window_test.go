package sandbox

import (
	"testing"
	"time"
)

// TestWindowRealClock: times from time.Now carry a monotonic reading, and
// two of them in the same window must still count in that window. (The
// start of a window taken from each differs in its monotonic reading by the
// nanoseconds between reading the two clocks.)
func TestWindowRealClock(t *testing.T) {
	p := policy{rate: 2.0 / 3600, window: time.Hour}
	var w window
	var got []bool
	for range 3 {
		got = append(got, w.take(time.Now(), p).allowed)
	}
	if !got[0] || !got[1] || got[2] {
		t.Errorf("three requests in one hour's window with a quota of 2: allowed %v, want [true true false]", got)
	}
}
