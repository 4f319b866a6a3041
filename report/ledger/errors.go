package ledger

// Error is the type of the ledger's sentinel errors, so that they can be
// constants and compared with errors.Is.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrInUse is wrapped by Open when another process holds the ledger;
	// errors.As with *InUseError gives the holder.
	ErrInUse = Error("ledger is in use")
	// ErrNotLedger is wrapped when the path holds a file this tool did not
	// write (not SQLite, or SQLite of another program); the file is left as
	// it is.
	ErrNotLedger = Error("not a prolifi-import ledger")
	// ErrNewerSchema is wrapped when the ledger was written by a newer
	// version of the tool than this one.
	ErrNewerSchema = Error("ledger was written by a newer prolifi-import")
	// ErrOlderSchema is wrapped when the ledger has a schema this version no
	// longer reads; the file is left as it is.
	ErrOlderSchema = Error("ledger was written by an older prolifi-import")
	// ErrSymlink is wrapped when the ledger path, or its lock, is a symbolic
	// link: following it could write customer data somewhere unexpected.
	ErrSymlink = Error("ledger path is a symbolic link")
	// ErrReadOnly is returned by the writing methods of a ledger opened with
	// OpenReadOnly.
	ErrReadOnly = Error("ledger is open read-only")
)
