package importer

import (
	"strings"

	"github.com/prolifi/prolifi-import/client"
)

// Status is the outcome of one record.
type Status string

// The statuses a Result can have.
const (
	StatusCreated   Status = "created"   // the API created the customer
	StatusExists    Status = "exists"    // the API (or the ledger) already had it
	StatusInvalid   Status = "invalid"   // rejected by local checks or a 422
	StatusFailed    Status = "failed"    // gave up: retries spent, network, outcome unknown
	StatusDuplicate Status = "duplicate" // an earlier line of the file has the same identity
	StatusValid     Status = "valid"     // dry run: would be sent
)

// Statuses lists every status, in the order summaries print them.
func Statuses() []Status {
	return []Status{StatusCreated, StatusExists, StatusValid, StatusInvalid, StatusDuplicate, StatusFailed}
}

// Done reports whether a record with this status needs no further run.
func (s Status) Done() bool { return s == StatusCreated || s == StatusExists }

// ToFix reports whether a record with this status needs a person.
func (s Status) ToFix() bool {
	return s == StatusInvalid || s == StatusFailed || s == StatusDuplicate
}

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
	Attempts    int // requests made for this record in this run, look-ups included
	// Sent is set when a request went out for this record in this run: its
	// outcome replaces the pending entry the ledger holds for it.
	Sent   bool
	Fields []string // the record's cells as read, for the rejects file
	Raw    string   // the text of a malformed record, for the rejects file

	failedBefore bool // the ledger had this row as failed or invalid
}

// Identity is the identity of the record r is for.
func (r Result) Identity() string {
	return Identity(client.CreateCustomerRequest{ExternalID: r.ExternalID, Email: r.Email})
}

// Identity is what names a customer across rows and runs: the external_id,
// or the email (case does not matter) when there is none.
func Identity(r client.CreateCustomerRequest) string {
	if r.ExternalID != "" {
		return "x:" + r.ExternalID
	}
	return "e:" + strings.ToLower(r.Email)
}
