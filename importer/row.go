package importer

import "github.com/prolifi/prolifi-import/client"

// Row is one input record, mapped.
type Row struct {
	Line    int                          // line of the input where the record starts; the header is line 1
	Request client.CreateCustomerRequest // what would be sent
	Raw     string                       // the record's text as read, for the rejects file
	// Problem is set when the record cannot be sent: malformed CSV, or a
	// value that breaks the API's rules.
	Problem *Problem
}

// result starts the Result of r: which record it is, before its outcome.
func (r Row) result() Result {
	return Result{Line: r.Line, ExternalID: r.Request.ExternalID, Email: r.Request.Email, Raw: r.Raw}
}

// Problem says why a row is not sent.
type Problem struct {
	Type        string // ErrorTypeCSV or client.TypeValidation
	Message     string
	FieldErrors []client.FieldError
}

// ErrorTypeCSV marks a record the CSV parser could not read.
const ErrorTypeCSV = "csv_error"

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
