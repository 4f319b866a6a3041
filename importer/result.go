package importer

import "github.com/prolifi/prolifi-import/client"

// Status is the outcome of one record.
type Status string

// The statuses a Result can have.
const (
	StatusCreated   Status = "created"   // the API created the customer
	StatusExists    Status = "exists"    // the external_id was already on the server
	StatusInvalid   Status = "invalid"   // rejected by local checks or a 422
	StatusFailed    Status = "failed"    // gave up: retries spent, network, outcome unknown
	StatusDuplicate Status = "duplicate" // an earlier line of the file has the same key
	StatusValid     Status = "valid"     // dry run: would be sent
)

// Done reports whether a record with this status needs no further run.
func (s Status) Done() bool { return s == StatusCreated || s == StatusExists }

// Result is what happened to one record. It is data, not an error: a run
// with many failed rows still succeeds as a run.
type Result struct {
	Line        int
	Status      Status
	CustomerID  string
	ExternalID  string
	Email       string
	HTTPStatus  int
	ErrorType   string
	Message     string
	FieldErrors []client.FieldError
	Attempts    int
	Raw         string // the record as read, for the rejects file
}

// Error types the importer itself assigns.
const (
	ErrorTypeDuplicate      = "duplicate"
	ErrorTypeOutcomeUnknown = "outcome_unknown"
	ErrorTypeNetwork        = "network_error"
)
