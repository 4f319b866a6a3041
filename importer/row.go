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
