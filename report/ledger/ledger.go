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
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver: pure Go, no cgo
)

const (
	driverName = "sqlite"
	// cacheKiB bounds SQLite's page cache, per connection: 2 MiB, so that
	// memory stays flat however large the ledger grows (pages are read with
	// pread, never mapped: mmap_size is 0). A batch touches a few hundred
	// pages at most.
	cacheKiB = 2048
	// maxConns: the writer's own connection plus one for look-ups and views.
	maxConns = 2
)

// Ledger is an open ledger file: a writer for one target (Open), or a
// reader for one base URL or every target (OpenReadOnly). Its methods are
// safe for concurrent use; writes are serialised.
type Ledger struct {
	path   string
	db     *sql.DB
	now    func() time.Time
	scope  scope
	lock   *lock
	writer *writer // nil when read-only
	looks  stmtCache
	fresh  fresh // a writer's shortcut for look-ups in an empty target
	// emailIndex is set once the index LookupEmails needs is known to exist.
	emailIndex atomic.Bool
	closed     sync.Once
	err        error // of Close
}

// Options tune a writer.
type Options struct {
	// Now is the clock for the times written; nil means time.Now.
	Now func() time.Time
	// Input is what this process imports, named to a second run that finds
	// the ledger busy ("customers.csv").
	Input string
}

// Open opens the ledger at path for writing entries of target t, creating
// the file (0600) and its directory (0700) when missing. It fails at once,
// with an *InUseError, when another process holds the ledger. Runs that a
// killed process left unfinished are marked RunUnfinished.
func Open(ctx context.Context, path string, t Target, opts Options) (*Ledger, error) {
	t.BaseURL = normalBaseURL(t.BaseURL)
	if t.BaseURL == "" || t.KeyFingerprint == "" {
		return nil, errors.New("open ledger: the target needs a base URL and a key fingerprint")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	// Refuse a foreign file before the lock file appears beside it.
	if _, err := probe(ctx, path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create ledger directory: %w", err)
	}
	host, _ := os.Hostname()
	lk, err := acquireLock(path, Holder{PID: os.Getpid(), Host: host, Input: opts.Input, Since: opts.Now()})
	if err != nil {
		return nil, err
	}
	l, err := openWriter(ctx, path, t, opts.Now)
	if err != nil {
		_ = lk.release()
		return nil, err
	}
	l.lock = lk
	return l, nil
}

// openWriter opens the database of a writer that holds the lock.
func openWriter(ctx context.Context, path string, t Target, now func() time.Time) (*Ledger, error) {
	if err := createFile(path); err != nil {
		return nil, err
	}
	if _, err := probe(ctx, path); err != nil {
		return nil, err
	}
	db, err := openDB(path, false)
	if err != nil {
		return nil, err
	}
	l := newLedger(path, db, now, scope{})
	if err := l.startWriter(ctx, t); err != nil {
		l.closeDB()
		return nil, err
	}
	return l, nil
}

// OpenReadOnly opens the ledger at path for reading, without the writer's
// lock. An empty baseURL reads every target; an empty keyFingerprint every
// key of baseURL (a dry run has no key). A missing (or still empty) file is
// an error wrapping fs.ErrNotExist, and nothing is created. Like sqlite3, a
// reader may leave -wal and -shm files (with the database's mode) beside a
// ledger that no writer has open.
func OpenReadOnly(ctx context.Context, path, baseURL, keyFingerprint string) (*Ledger, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	empty, err := probe(ctx, path)
	if err != nil {
		return nil, err
	}
	if empty {
		return nil, fmt.Errorf("open ledger: %s is empty: %w", path, fs.ErrNotExist)
	}
	db, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	l := newLedger(path, db, time.Now, readScope(normalBaseURL(baseURL), keyFingerprint))
	if err := l.checkReadable(ctx); err != nil {
		l.closeDB()
		return nil, err
	}
	return l, nil
}

func newLedger(path string, db *sql.DB, now func() time.Time, s scope) *Ledger {
	l := &Ledger{path: path, db: db, now: now, scope: s}
	l.looks.prepare = db.PrepareContext
	return l
}

// checkReadable refuses a reader's database that is not a ledger of a
// version this tool knows.
func (l *Ledger) checkReadable(ctx context.Context) error {
	c, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	defer c.Close()
	appID, version, tables, err := header(ctx, c)
	if err != nil {
		return err
	}
	blank, err := checkHeader(l.path, appID, version, tables)
	if err == nil && blank {
		err = fmt.Errorf("open ledger: %s is not set up yet: %w", l.path, fs.ErrNotExist)
	}
	return err
}

// openDB opens the pool; every connection gets the same settings. WAL with
// synchronous=FULL makes a commit durable when it returns.
func openDB(path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{"_pragma": {
		"busy_timeout(10000)",
		fmt.Sprintf("cache_size(-%d)", cacheKiB),
		"mmap_size(0)",
		// A statement's undo journal (inside a transaction every multi-row
		// statement has one) stays in memory rather than a temp file.
		"temp_store(memory)",
	}}
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "journal_size_limit(67108864)")
	}
	db, err := sql.Open(driverName, fileURI(path, q))
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	return db, nil
}

// Path is the ledger's absolute path.
func (l *Ledger) Path() string { return l.path }

// Close releases the statements, the database and the lock. Calling it
// again returns the first call's error.
func (l *Ledger) Close() error {
	l.closed.Do(func() {
		l.err = l.closeDB()
		if err := l.lock.release(); l.err == nil {
			l.err = err
		}
	})
	return l.err
}

func (l *Ledger) closeDB() error {
	l.looks.close()
	var err error
	if l.writer != nil {
		err = l.writer.close()
	}
	if derr := l.db.Close(); err == nil && derr != nil {
		err = fmt.Errorf("close ledger: %w", derr)
	}
	return err
}
