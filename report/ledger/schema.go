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
	// written by a newer tool and is refused, and so is one with a lower
	// one (version 1 kept a long row per entry, rewritten by every outcome).
	schemaVersion = 2
	// pageSize is SQLite's default, set so that it stays so: a new entry
	// writes about one page of its identity index, and larger pages would
	// write more bytes for it.
	pageSize = 4096
)

// schema is version 2, also shown in doc.go (a test keeps them alike);
// SQLite keeps its text, comments included, for sqlite3's .schema.
//
// Every write is a few short rows, because in modernc's SQLite the cost of
// a row grows with its size and its columns. An entry is split in two: the
// mark, written before a create is sent (entries, found by the identity
// index), and the outcome, written when the answer comes (outcomes, keyed
// by the entry's rowid, so a batch's outcomes append to the same few pages
// and never touch the index). A new mark of an entry gets a later at, which
// makes an earlier outcome stale without a write to outcomes; Release puts
// the old mark back, and with it the old outcome. What a run shares with its
// entries (its id, its input) is kept once, in runs; times of entries are
// Unix milliseconds. The view ledger shows it all as one row per entry.
// There is no CHECK on a state: Apply checks every change before it writes,
// and in modernc's SQLite the CHECK alone cost a microsecond a row.
const schema = `
CREATE TABLE targets (
	id              INTEGER PRIMARY KEY,
	base_url        TEXT NOT NULL,             -- the API, without a trailing slash
	key_fingerprint TEXT NOT NULL,             -- "sha256:…" of the API key; never the key
	created         TEXT NOT NULL,
	UNIQUE (base_url, key_fingerprint)
);
CREATE TABLE runs (
	id                INTEGER PRIMARY KEY,
	run               TEXT NOT NULL,           -- the run's id, as the tool shows it
	target            INTEGER NOT NULL REFERENCES targets (id),
	input             TEXT NOT NULL DEFAULT '', -- the input file of every mark of the run
	input_fingerprint TEXT NOT NULL DEFAULT '',
	pid               INTEGER NOT NULL DEFAULT 0,
	host              TEXT NOT NULL DEFAULT '',
	started           TEXT NOT NULL,
	finished          TEXT,                    -- NULL: running, or it died
	outcome           TEXT NOT NULL DEFAULT '', -- 'unfinished': it died
	counts            TEXT NOT NULL DEFAULT '{}', -- JSON
	UNIQUE (target, run)
);
CREATE INDEX runs_started ON runs (started);
CREATE TABLE entries (
	id        INTEGER PRIMARY KEY,             -- in order of first mark: a batch's rows sit together
	target    INTEGER NOT NULL REFERENCES targets (id),
	identity  TEXT NOT NULL,                   -- "x:<external_id>" or "e:<lower-cased email>"
	run       INTEGER NOT NULL REFERENCES runs (id), -- the run of the last mark
	line      INTEGER NOT NULL,                -- and its line in the run's input
	at        INTEGER NOT NULL,                -- when marked, Unix ms; a new mark of the entry is always later
	email     TEXT NOT NULL DEFAULT '',        -- the row's email, when the identity is not it
	seen_run  INTEGER REFERENCES runs (id),    -- where the identity was last seen; NULL: at the mark
	seen_line INTEGER,
	prev      TEXT                             -- JSON [run, line, at, email] of the mark before this run's, for Release
);
CREATE UNIQUE INDEX entries_identity ON entries (target, identity);
CREATE TABLE outcomes (
	entry       INTEGER PRIMARY KEY REFERENCES entries (id),
	mark        INTEGER NOT NULL,              -- the entries.at it answers; when that changed, the entry is pending
	state       TEXT NOT NULL,                 -- created, exists, outcome_unknown, failed or invalid
	customer_id TEXT NOT NULL DEFAULT '',
	message     TEXT NOT NULL DEFAULT '',      -- why, for failed, invalid, outcome_unknown
	at          INTEGER NOT NULL               -- when, Unix ms
);
CREATE VIEW ledger AS
SELECT t.base_url, t.key_fingerprint, e.identity,
	coalesce(o.state, 'pending') AS state,
	coalesce(o.customer_id, '') AS customer_id,
	CASE WHEN substr(e.identity, 1, 2) = 'x:' THEN substr(e.identity, 3) ELSE '' END AS external_id,
	CASE WHEN e.email = '' AND substr(e.identity, 1, 2) = 'e:' THEN substr(e.identity, 3) ELSE e.email END AS email,
	r.input, e.line, r.run,
	strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(o.at, e.at) / 1000.0, 'unixepoch') AS at,
	coalesce(o.message, '') AS message,
	coalesce(s.run, r.run) AS seen_run,
	coalesce(e.seen_line, e.line) AS seen_line
FROM entries e
JOIN targets t ON t.id = e.target
JOIN runs r ON r.id = e.run
LEFT JOIN outcomes o ON o.entry = e.id AND o.mark = e.at
LEFT JOIN runs s ON s.id = e.seen_run;
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
	case version < schemaVersion:
		return false, fmt.Errorf("%w: %s has schema version %d, this prolifi-import reads version %d only; "+
			"it was left as it is: move it away to start a new ledger, or use the prolifi-import that wrote it",
			ErrOlderSchema, path, version, schemaVersion)
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
