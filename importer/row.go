package importer

import "github.com/prolifi/prolifi-import/client"

// Row is one input record, mapped.
type Row struct {
	// Line is where the record starts in the input; the header is line 1.
	// For a workbook it is the sheet row.
	Line int
	// Fields are the record's cells as read, in header order: decoded to
	// UTF-8, and without the formula guard when the input is a rejects
	// file. Nil for a malformed record.
	Fields []string
	// Raw is set for a malformed record only: its text as read (for one
	// over MaxRecordBytes, its first 256 bytes).
	Raw     string
	Request client.CreateCustomerRequest // what would be sent
	// Problem is set when the record cannot be sent: malformed CSV, or a
	// value that breaks the API's rules.
	Problem *Problem
}

// result starts the Result of r: which record it is, before its outcome.
func (r Row) result() Result {
	return Result{Line: r.Line, ExternalID: r.Request.ExternalID, Email: r.Request.Email, Fields: r.Fields, Raw: r.Raw}
}

// Problem says why a row is not sent.
type Problem struct {
	Type        string // ErrorTypeCSV or client.TypeValidation
	Message     string
	FieldErrors []client.FieldError
}

// ErrorTypeCSV marks a record the CSV parser could not read.
const ErrorTypeCSV = "csv_error"
