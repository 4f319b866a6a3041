package importer

import (
	"math"
	"testing"
	"time"
)

// bucketStretch sends at rate r, evenly spaced from start, into a full
// token bucket of burst b refilled at l a second, and returns the stretch
// up to the first refusal, followed by a pause of one second.
func bucketStretch(b, l, r float64, start time.Time) stretch {
	s := stretch{rate: r, start: start, probe: true, pause: time.Second}
	tokens := b
	for i := 0; ; i++ {
		at := start.Add(time.Duration(float64(i) / r * float64(time.Second)))
		if i > 0 {
			tokens = min(b, tokens+l/r)
		}
		if tokens < 1 {
			s.refused = at
			return s
		}
		tokens--
		s.accept(at)
	}
}

func TestFitBucket(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	t1 := t0.Add(2 * time.Second)
	tests := []struct {
		name    string
		a, b    stretch
		ok      bool
		c, l    float64
		lWithin float64 // share of l
	}{
		{"burst 10 at 200/s, sent at 1000/s then 250/s", bucketStretch(10, 200, 1000, t0), bucketStretch(10, 200, 250, t1), true, 9, 200, 0.03},
		{"burst 10 at 50/s, sent at 250/s then 62.5/s", bucketStretch(10, 50, 250, t0), bucketStretch(10, 50, 62.5, t1), true, 9, 50, 0.03},
		{"burst 200 at 200/s", bucketStretch(200, 200, 1000, t0), bucketStretch(200, 200, 800, t1), true, 199, 200, 0.03},
		{"refusals too close in time to tell c from L", bucketStretch(10, 200, 1000, t0), bucketStretch(10, 200, 950, t1), false, 0, 0, 0},
		{"the same count at two rates: a window's quota, not a bucket", windowStretch(200, 1000, t0), windowStretch(200, 250, t1), false, 0, 0, 0},
		{"a window that rolled over within the second stretch: a burst the pause could not refill", windowStretch(200, 1000, t0), windowStretch(300, 250, t1), false, 0, 0, 0},
		{"no refusal yet", bucketStretch(10, 200, 1000, t0), stretch{rate: 250, start: t1}, false, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, l, ok := fitBucket(tt.a, tt.b)
			if ok != tt.ok {
				t.Fatalf("fit ok = %v (c %.2f, L %.1f), want %v", ok, c, l, tt.ok)
			}
			if ok && (!within(c+1, tt.c+1, 0.1) || !within(l, tt.l, tt.lWithin)) {
				t.Errorf("c %.2f, L %.1f; want c %v and L %v within %.0f%%", c, l, tt.c, tt.l, 100*tt.lWithin)
			}
		})
	}
}

// windowStretch is a stretch at rate r into a fresh window of quota q.
func windowStretch(q int, r float64, start time.Time) stretch {
	s := stretch{rate: r, start: start, probe: true, pause: time.Second}
	for i := 0; i < q; i++ {
		s.accept(start.Add(time.Duration(float64(i) / r * float64(time.Second))))
	}
	s.refused = start.Add(time.Duration(float64(q) / r * float64(time.Second)))
	return s
}

func TestStretchLimitGiven(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		b, l, r float64
	}{{10, 200, 250}, {10, 100, 198}, {10, 100, 148}, {2, 7, 20}, {50, 1000, 1100}} {
		s := bucketStretch(tt.b, tt.l, tt.r, t0)
		got, ok := s.limitGiven(tt.b - 1)
		// One send more or less in the stretch moves the estimate by about
		// r·c/k²: the bound the model promises.
		k := float64(s.accepted)
		if tol := tt.r * (tt.b - 1) / (k * k); !ok || got < tt.l-tol || got > tt.l+tol {
			t.Errorf("bucket %v/%v sent at %v: L %.2f (ok %v), want %v ± %.2f", tt.b, tt.l, tt.r, got, ok, tt.l, tol)
		}
	}
}

// TestBurstGiven: a short stretch tells the burst exactly once the rate
// is known closely, and nothing when its sends allow two. Its middle alone
// (c = n − L·τ) is further from a whole token than a fifth when the rate is
// one percent off.
func TestBurstGiven(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		b, l, r, known float64
		ok             bool
	}{
		{10, 200, 250, 200, true},
		{10, 200, 250, 202, true},
		{10, 200, 210, 200, true},
		{20, 200, 300, 200, true},
		{5, 50, 70, 50, true},
		{10, 200, 2000, 200, false},
	} {
		s := bucketStretch(tt.b, tt.l, tt.r, t0)
		c, ok := s.burstGiven(tt.known)
		if ok != tt.ok || ok && c != tt.b-1 {
			t.Errorf("burst %v at %v/s (known as %v/s) sent at %v/s: %v, %v; want %v, %v", tt.b, tt.l, tt.known, tt.r, c, ok, tt.b-1, tt.ok)
		}
	}
	s := bucketStretch(10, 200, 250, t0)
	if n, tau, _ := s.point(); math.Abs(n-202*tau-9) <= 0.2 {
		t.Errorf("the middle gives c %.2f at 202/s: the case does not test burstGiven", n-202*tau)
	}
}
