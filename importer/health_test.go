package importer

import (
	"testing"
	"time"
)

// TestHealth: what stops a run, and what does not.
func TestHealth(t *testing.T) {
	type req struct {
		failing, throttled bool
		after              time.Duration // since the previous request
	}
	fail, limit, ok := req{failing: true}, req{throttled: true}, req{}
	tests := []struct {
		name   string
		reqs   []req
		stopAt int // index of the request that stops the run; -1: none
		waveAt int
	}{
		{"ten failures in a row", []req{fail, fail, fail, fail, fail, fail, fail, fail, fail, fail}, 9, 2},
		{"an answer in between resets", []req{fail, fail, fail, fail, fail, ok, fail, fail, fail, fail, fail}, -1, 2},
		{"failing for 30 s", []req{fail, {failing: true, after: 20 * time.Second}, {failing: true, after: 10 * time.Second}}, 2, 2},
		{"429s alone never count to ten", []req{limit, limit, limit, limit, limit, limit, limit, limit, limit, limit, limit}, -1, -1},
		{"429s for 30 s with nothing accepted", []req{limit, {throttled: true, after: 31 * time.Second}}, 1, -1},
		{"a quota: one 429 a minute", []req{limit, {throttled: true, after: time.Minute}}, 1, -1},
		{"429s with answers between", []req{limit, {after: 20 * time.Second}, {throttled: true, after: 20 * time.Second}}, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			now := time.Unix(1_800_000_000, 0)
			stopAt, waveAt := -1, -1
			for i, r := range tt.reqs {
				now = now.Add(r.after)
				stop, wave := h.observe(r.failing, r.throttled, "x", now)
				if stop && stopAt < 0 {
					stopAt = i
				}
				if wave && waveAt < 0 {
					waveAt = i
				}
			}
			if stopAt != tt.stopAt || waveAt != tt.waveAt {
				t.Errorf("stopped at %d, wave at %d; want %d, %d", stopAt, waveAt, tt.stopAt, tt.waveAt)
			}
		})
	}
}
