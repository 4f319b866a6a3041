package sandbox

// Stats counts what the emulator has seen and done.
type Stats struct {
	Requests        int         // requests answered or dropped
	ByStatus        map[int]int // answers by HTTP status
	Created         int         // customers created
	DuplicateEmails int         // customers created with an email already used
	Resets          int         // connections dropped before doing anything
	Lost            int         // customers created whose answer was dropped
	Failures        int         // injected 5xx answers
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	var st Stats
	st.ByStatus, st.Requests = s.ans.counts()
	st.Created, st.DuplicateEmails = s.store.counts()
	st.Resets, st.Failures, st.Lost = s.faults.counts()
	st.Requests += st.Resets + st.Lost
	return st
}
