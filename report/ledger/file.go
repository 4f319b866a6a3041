package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// refuseSymlink fails when path is a symbolic link, and for anything else
// that is not a regular file; a missing path is fine.
func refuseSymlink(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("check ledger path: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s", ErrSymlink, path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file", ErrNotLedger, path)
	}
	return nil
}

// createFile makes an empty ledger file, 0600, unless one exists; SQLite
// treats an empty file as a new database, and gives its -wal and -shm files
// the database file's mode. An empty file that exists (made with touch, or
// by a crash before the schema) becomes a new ledger too, so it is made
// 0600 as well: it is about to hold customers' emails.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// By path, not by descriptor: see probe.
		if fi, err := os.Stat(path); err != nil || fi.Size() > 0 || fi.Mode().Perm() == 0o600 {
			return nil
		}
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("make the new ledger private: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("create ledger: %w", err)
	}
	return f.Close()
}

// probe tells whether the file at path is empty (a new ledger), a ledger of
// this tool, or something else, without writing to it. It reads through
// SQLite (immutable: no lock, no -wal or -shm) rather than os.Open, because
// closing any descriptor of a database file drops every POSIX lock this
// process's other SQLite connections hold on it.
func probe(ctx context.Context, path string) (empty bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("open ledger: %w", err)
	}
	if fi.Size() == 0 {
		return true, nil
	}
	db, err := sql.Open(driverName, fileURI(path, url.Values{"mode": {"ro"}, "immutable": {"1"}}))
	if err != nil {
		return false, fmt.Errorf("open ledger: %w", err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
		// A process killed in the middle of a checkpoint leaves a main file
		// that only its write-ahead log makes whole, and an immutable read
		// ignores the log. With a log beside it, the file is left to the
		// real open, which replays the log and then checks the marks.
		if _, werr := os.Stat(path + "-wal"); werr == nil {
			return false, nil
		}
		return false, fmt.Errorf("%w: %s is not an SQLite database (%v); it was left as it is", ErrNotLedger, path, err)
	}
	if id != applicationID {
		return false, fmt.Errorf("%w: %s is an SQLite database of another program; it was left as it is", ErrNotLedger, path)
	}
	return false, nil
}

// fileURI is the SQLite URI for path with the given query; a URI (not a
// plain name) so that SQLite itself honours mode=ro and never creates the
// file on a read-only open.
func fileURI(path string, q url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}
