package importer

import (
	"testing"
	"time"
)

func TestSecondCounts(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	// second k accepts n sends, then one is refused while sending at rate
	// (none with rate 0).
	type refusedSecond struct {
		k, n int
		rate float64
	}
	tests := []struct {
		name    string
		seconds []refusedSecond
		quota   int
		ok      bool
	}{
		{"the same count at rates far apart: a window", []refusedSecond{{0, 200, 1000}, {2, 200, 250}}, 200, true},
		{"one more in one of them: a send counted in the next second", []refusedSecond{{0, 201, 1000}, {2, 200, 250}}, 200, true},
		{"counts that grow with the rate: a bucket", []refusedSecond{{0, 12, 1000}, {2, 46, 250}}, 0, false},
		{"the same count at the same rate says nothing", []refusedSecond{{0, 12, 1000}, {2, 12, 1000}}, 0, false},
		{"one refused second is not a pattern", []refusedSecond{{0, 200, 1000}}, 0, false},
		{"tiny counts are too common to tell", []refusedSecond{{0, 2, 1000}, {2, 2, 250}}, 0, false},
		{"the same count by chance, a second between accepted more: a bucket", []refusedSecond{{0, 18, 196}, {1, 64, 0}, {2, 18, 111}}, 0, false},
		{"a second between within the quota: a window", []refusedSecond{{0, 200, 1000}, {1, 150, 0}, {2, 200, 250}}, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c secondCounts
			for _, s := range tt.seconds {
				base := t0.Add(time.Duration(s.k) * time.Second)
				for i := range s.n {
					c.accept(base.Add(time.Duration(i) * time.Millisecond))
				}
				if s.rate > 0 {
					c.refuse(base.Add(900*time.Millisecond), s.rate)
				}
			}
			if q, ok := c.quota(); ok != tt.ok || q != tt.quota {
				t.Errorf("quota = %d, %v; want %d, %v", q, ok, tt.quota, tt.ok)
			}
		})
	}
}

// TestSecondCountsLateAnswers: an answer that comes back after its second
// held a refusal still counts in that second.
func TestSecondCountsLateAnswers(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	var c secondCounts
	for i := range 199 {
		c.accept(t0.Add(time.Duration(i) * time.Millisecond))
	}
	c.refuse(t0.Add(500*time.Millisecond), 1000)
	c.accept(t0.Add(499 * time.Millisecond)) // sent before the refusal, answered after it
	for i := range 200 {
		c.accept(t0.Add(2*time.Second + time.Duration(i)*time.Millisecond))
	}
	c.refuse(t0.Add(2*time.Second+800*time.Millisecond), 250)
	if q, ok := c.quota(); !ok || q != 200 {
		t.Errorf("quota = %d, %v; want 200, true", q, ok)
	}
}
