package importer

// record is one record of the input as a source reads it, before mapping:
// the header is the first. Sources know about bytes, quotes and sheets;
// the Reader knows only records.
type record struct {
	line   int      // where the record starts: a text line, or a sheet row
	fields []string // its cells; nil when it is malformed
	raw    string   // a malformed record's text as read
	why    string   // why it is malformed: names the line and the cause
}

// source yields the records of one input, the header first, then io.EOF.
// Any other error means the input cannot be read on.
type source interface {
	next() (record, error)
}
