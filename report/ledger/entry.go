package ledger

import "time"

// State is what the ledger knows about one identity at one target.
type State string

const (
	// StatePending: a create is about to be sent, or was sent by a process
	// that died before it learnt the answer. Written before the request.
	StatePending State = "pending"
	// StateCreated: the API created the customer.
	StateCreated State = "created"
	// StateExists: the API already had the customer.
	StateExists State = "exists"
	// StateOutcomeUnknown: the request was sent and no answer came back.
	StateOutcomeUnknown State = "outcome_unknown"
	// StateFailed: the create failed in a way a later run may retry.
	StateFailed State = "failed"
	// StateInvalid: the API refused the record (422); it needs fixing.
	StateInvalid State = "invalid"
)

// States lists every state, in the order views show them.
func States() []State {
	return []State{StatePending, StateCreated, StateExists, StateOutcomeUnknown, StateFailed, StateInvalid}
}

// Valid reports whether s is one of the six states.
func (s State) Valid() bool {
	switch s {
	case StatePending, StateCreated, StateExists, StateOutcomeUnknown, StateFailed, StateInvalid:
		return true
	}
	return false
}

// Entry is what the ledger holds for one identity at one target.
type Entry struct {
	Target     Target
	Identity   string // built by the importer: "x:<external_id>" or "e:<email>"
	State      State
	CustomerID string
	ExternalID string
	Email      string
	Input      string // the input file of the last write
	Line       int    // its line there
	Run        string // the run of the last write
	At         time.Time
	Message    string // why, for failed, invalid and outcome_unknown
	// SeenRun and SeenLine are where the identity was last seen in an input,
	// whether or not it was sent then; a later line of the same run with the
	// same identity is a duplicate.
	SeenRun  string
	SeenLine int
}
