package ledger

import (
	"context"
	"database/sql"
	"fmt"
)

const (
	// applicationID marks an SQLite file as a prolifi-import ledger
	// ("PrLg"), in the header field SQLite keeps for that purpose.
	applicationID = 0x50724c67
	// schemaVersion is kept in user_version; a ledger with a higher one was
	// written by a newer tool and is refused.
	schemaVersion = 1
	// pageSize is SQLite's default, set so that it stays so: a new entry
	// writes about one page of its identity index, and larger pages would
	// write more bytes for it.
	pageSize = 4096
)

// schema is version 1, also shown in doc.go (a test keeps them alike);
// SQLite keeps its text, comments included, for sqlite3's .schema. Times
// are UTC text, "2006-01-02T15:04:05.000Z", so that they sort and read well.
// Entries are a rowid table with an identity index rather than a table
// keyed by identity: an outcome, and a re-run's "seen", then rewrite the
// few pages their batch's pending rows share, not one page per row.
const schema = `
CREATE TABLE targets (
	id              INTEGER PRIMARY KEY,
	base_url        TEXT NOT NULL,             -- the API, without a trailing slash
	key_fingerprint TEXT NOT NULL,             -- "sha256:…" of the API key; never the key
	created         TEXT NOT NULL,
	UNIQUE (base_url, key_fingerprint)
);
CREATE TABLE entries (
	id          INTEGER PRIMARY KEY,           -- in order of first write: a batch's rows sit together
	target      INTEGER NOT NULL REFERENCES targets (id),
	identity    TEXT NOT NULL,                 -- "x:<external_id>" or "e:<lower-cased email>"
	state       TEXT NOT NULL CHECK (state IN ('pending', 'created', 'exists', 'outcome_unknown', 'failed', 'invalid')),
	customer_id TEXT NOT NULL DEFAULT '',
	external_id TEXT NOT NULL DEFAULT '',
	email       TEXT NOT NULL DEFAULT '',
	input       TEXT NOT NULL DEFAULT '',      -- the input file of the last write
	line        INTEGER NOT NULL DEFAULT 0,    -- and its line there
	run         TEXT NOT NULL DEFAULT '',      -- the run of the last write (runs.id)
	at          TEXT NOT NULL,                 -- when, UTC
	message     TEXT NOT NULL DEFAULT '',      -- why, for failed, invalid, outcome_unknown
	seen_run    TEXT NOT NULL DEFAULT '',      -- the last run whose input had the identity
	seen_line   INTEGER NOT NULL DEFAULT 0,    -- and the line
	prev        TEXT                           -- JSON of the entry before a pending write, for its undo
);
CREATE UNIQUE INDEX entries_identity ON entries (target, identity);
CREATE INDEX entries_pending ON entries (target, run) WHERE state = 'pending';
CREATE TABLE runs (
	id                TEXT PRIMARY KEY,
	target            INTEGER NOT NULL REFERENCES targets (id),
	input             TEXT NOT NULL DEFAULT '',
	input_fingerprint TEXT NOT NULL DEFAULT '',
	pid               INTEGER NOT NULL DEFAULT 0,
	host              TEXT NOT NULL DEFAULT '',
	started           TEXT NOT NULL,
	finished          TEXT,                    -- NULL: running, or it died
	outcome           TEXT NOT NULL DEFAULT '', -- 'unfinished': it died
	counts            TEXT NOT NULL DEFAULT '{}' -- JSON
);
CREATE INDEX runs_started ON runs (started);
`

// header reads the ledger marks of an open database.
func header(ctx context.Context, c *sql.Conn) (appID, version int64, tables int, err error) {
	if err = c.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, 0, 0, fmt.Errorf("read ledger header: %w", err)
	}
	if err = c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, 0, 0, fmt.Errorf("read ledger header: %w", err)
	}
	if err = c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return 0, 0, 0, fmt.Errorf("read ledger header: %w", err)
	}
	return appID, version, tables, nil
}

// checkHeader refuses a database that is not a ledger or is too new, and
// reports whether it is still blank.
func checkHeader(path string, appID, version int64, tables int) (blank bool, err error) {
	switch {
	case appID == 0 && version == 0 && tables == 0:
		return true, nil
	case appID != applicationID:
		return false, fmt.Errorf("%w: %s is an SQLite database of another program; it was left as it is", ErrNotLedger, path)
	case version > schemaVersion:
		return false, fmt.Errorf("%w: %s has schema version %d, this prolifi-import knows up to %d; use a newer prolifi-import", ErrNewerSchema, path, version, schemaVersion)
	case version < 1:
		return false, fmt.Errorf("%w: %s has no schema version", ErrNotLedger, path)
	}
	return false, nil
}

// migrate brings the writer's database to schemaVersion, creating the schema
// in a blank one, and turns WAL on. The first transaction runs in rollback
// mode so that the marks reach the main file at once: probe reads them there.
func migrate(ctx context.Context, c *sql.Conn, path string) error {
	appID, version, tables, err := header(ctx, c)
	if err != nil {
		return err
	}
	blank, err := checkHeader(path, appID, version, tables)
	if err != nil {
		return err
	}
	if blank {
		stmts := fmt.Sprintf("PRAGMA page_size = %d; BEGIN IMMEDIATE; PRAGMA application_id = %d; PRAGMA user_version = %d; %s COMMIT;", pageSize,
			applicationID, schemaVersion, schema)
		if _, err := c.ExecContext(ctx, stmts); err != nil {
			_, _ = c.ExecContext(context.Background(), "ROLLBACK")
			return fmt.Errorf("create ledger schema: %w", err)
		}
	}
	var mode string
	if err := c.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("turn on ledger WAL: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("turn on ledger WAL: journal mode is %q", mode)
	}
	return nil
}
