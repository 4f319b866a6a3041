package importer

import "time"

// pauseCut is what the search keeps of the pause after a 429 when it opens
// its gate before the server's Retry-After has passed (see cutPause).
type pauseCut struct {
	serverEnd time.Time // the end of the pause the server asked for, in the episode going on
	estBefore float64   // the limit measured before the episode's 429 (0: none)
	cutTo     time.Time // the end of the pause kept, when cut short (zero: not cut)
	// strict is set once a send made in a pause cut short was refused
	// before the stretch had anything accepted: the server keeps its
	// Retry-After to the letter, and every pause is kept whole from then on.
	strict bool
}

// begin starts the pause of a new episode, which the server asked to last
// until serverEnd, with est the limit measured before it.
func (c *pauseCut) begin(serverEnd time.Time, est float64) {
	c.serverEnd, c.estBefore, c.cutTo = serverEnd, est, time.Time{}
}

// refusedEarly notes a 429 of a send made at sent, with accepted the sends
// its stretch had accepted before it: one made inside the server's pause
// that was cut short, before any was accepted, marks the server strict.
func (c *pauseCut) refusedEarly(sent time.Time, accepted int) {
	if !c.cutTo.IsZero() && sent.Before(c.serverEnd) && accepted == 0 {
		c.strict = true
	}
}

// cutRefills is how many times the time the measured bucket takes to
// refill its burst a pause cut short lasts: the next stretch must begin
// with the bucket full, or it measures the limit low, and a limit one
// token off in its burst is a few percent off in its rate.
const cutRefills = 3

// cutAgree is the share of the limit that allowed a cut which the stretch
// after it must measure to be believed: one that measures less began at a
// limit that fell, maybe with the bucket not yet full.
const cutAgree = 0.9

// cutPause opens the gate after a 429 as soon as the measured bucket has
// refilled, when the refusal was the search's own doing: a probe above the
// limit, or a limit measured from short stretches put right soon after. The
// refusal found the bucket empty; at the measured rate it holds its burst
// again within cutRefills × (c+1)/L (150 ms for a burst of 10 at 200 a
// second), where every worker waiting out the whole Retry-After (a second:
// the header counts whole seconds) would cost each such 429 a second of
// sends. The refused request itself still waits the server's whole
// Retry-After (see rowAttempt.retry). A 429 after a rate that held keeps
// its pause whole: the limit may have fallen, and the bucket then refills
// at a rate not yet known.
func (s *rateSearch) cutPause(now time.Time) {
	if !s.mayCut() {
		return
	}
	at := now.Add(time.Duration(cutRefills * (s.burst + 1) / s.est * float64(time.Second)))
	if !at.Before(s.cut.serverEnd) {
		return
	}
	s.cut.cutTo = at
	s.gate, s.lastGate = at, at
	s.restart()
}

// keepPause applies a later answer of the episode going on: a pause not cut
// lasts until the latest end the server asked for; a cut stays only while
// what allowed it still holds.
func (s *rateSearch) keepPause() {
	if !s.cut.cutTo.IsZero() && s.mayCut() {
		s.run.afterCut = true
		return
	}
	s.cut.cutTo = time.Time{}
	if end := s.cut.serverEnd; end.After(s.gate) {
		s.gate, s.lastGate = end, end
		s.restart()
	}
}

// restart begins the stretch after the pause again at the gate, as it was.
func (s *rateSearch) restart() {
	r := s.run
	s.set(r.rate, s.gate, r.probe)
	s.run.trial, s.run.afterCut = r.trial, !s.cut.cutTo.IsZero()
}

// mayCut reports whether the pause after the last 429 may be cut short.
func (s *rateSearch) mayCut() bool {
	l := s.last
	switch {
	case s.cut.strict, s.stated > 0, s.kind != kindBucket, s.est <= 0, s.burst < 0:
		return false
	case !l.probe && !l.trial:
		return false
	}
	return l.refused.Sub(l.start) <= refineWithin
}
