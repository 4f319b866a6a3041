package importer

import "time"

// sendTimes is one request as the search saw it: when it went out, and
// when its answer came back.
type sendTimes struct{ sent, at time.Time }

// waitedFor is how much longer than the quickest round trip, twice over, a
// request must have taken for arrival to place it by its answer: one that
// waited for a new connection (a dial, a TLS handshake) reached the server
// long after it was sent, and the stretches that open a run are made of
// such requests. The slack keeps the jitter of answers out.
const waitedFor = 2 * time.Millisecond

// arrival estimates when the request reached the server, given the
// quickest round trip seen (rtt): when it was sent, unless it took so long
// that it must have waited on the way. It then arrived between its sending
// and its answer less rtt (the server's first answers are slow too), and
// the middle of the two is the estimate least wrong at worst: placed by
// the answer alone, the opening made the burst a token large in runs here.
func (t sendTimes) arrival(rtt time.Duration) time.Time {
	if t.at.IsZero() || rtt <= 0 || t.at.Sub(t.sent) <= 2*rtt+waitedFor {
		return t.sent
	}
	return t.sent.Add(max(t.at.Sub(t.sent)-rtt, 0) / 2)
}

// earlyKept is how many of a stretch's earliest sends are kept: the first
// to reach the server is among them.
const earlyKept = 8

// arrivals keeps what the bucket model needs of a stretch's sends to place
// them at the server: its earliest sends, its last accepted one and the
// refused one. Where each arrived is worked out only when the stretch is
// read, with the quickest round trip known by then: a run's first answers
// all come back slowly.
type arrivals struct {
	early   [earlyKept]sendTimes // sorted by sent; zero past n
	n       int
	lastOK  sendTimes
	refused sendTimes
}

// accept keeps an accepted send.
func (a *arrivals) accept(t sendTimes) {
	if t.sent.After(a.lastOK.sent) {
		a.lastOK = t
	}
	i := a.n
	if i == earlyKept {
		if !t.sent.Before(a.early[i-1].sent) {
			return
		}
		i--
	} else {
		a.n++
	}
	for ; i > 0 && t.sent.Before(a.early[i-1].sent); i-- {
		a.early[i] = a.early[i-1]
	}
	a.early[i] = t
}

// times returns the stretch's first arrival, and those of its last
// accepted send and of the refused one.
func (a *arrivals) times(rtt time.Duration) (first, lastOK, refused time.Time) {
	for _, t := range a.early[:a.n] {
		if at := t.arrival(rtt); first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first, a.lastOK.arrival(rtt), a.refused.arrival(rtt)
}
