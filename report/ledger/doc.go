// Package ledger remembers, across runs and crashes, what happened to every
// customer identity at every target (API base URL and API key fingerprint),
// so that no customer is created twice and a re-run sends only what is new.
//
// The ledger is one SQLite file (modernc.org/sqlite: pure Go, no cgo), in
// WAL mode with synchronous=FULL: when Apply returns, its batch is on disk,
// and a crash at any moment leaves every committed batch whole. A run looks
// its batch's identities up (Lookup), records pending for those it will send
// and seen for the others (Apply), sends, and records the outcomes (Apply).
// A graceful stop undoes the pending entries it never sent (Release);
// after a hard kill they stay pending, and the next run treats them as
// maybe sent.
//
// One writer at a time: Open takes an flock on PATH.lock (LockFileEx on
// Windows), which the kernel drops when the holder dies, and fails at once
// with an *InUseError naming the holder otherwise. The lock file stays when
// released. OpenReadOnly takes no lock and creates nothing.
//
// Files: the directory is created 0700 when missing, the database 0600
// (SQLite gives its -wal and -shm files the database's mode). A symbolic link
// is refused, and so is a file that is not a ledger of this tool (its SQLite
// application_id is 0x50724c67, "PrLg"; user_version is the schema version,
// and a newer one is refused); neither is ever changed.
//
// Memory: SQLite reads through a page cache of 2 MiB per connection and two
// connections (the writer's own, and one for look-ups and views), so at most
// 4 MiB however large the file; nothing is memory-mapped.
//
// # Schema
//
// Times are UTC text ("2025-03-04T02:14:05.123Z"). Identities are
// "x:<external_id>" when the record has one, else "e:<lower-cased email>".
//
//	CREATE TABLE targets (
//		id              INTEGER PRIMARY KEY,
//		base_url        TEXT NOT NULL,             -- the API, without a trailing slash
//		key_fingerprint TEXT NOT NULL,             -- "sha256:…" of the API key; never the key
//		created         TEXT NOT NULL,
//		UNIQUE (base_url, key_fingerprint)
//	);
//	CREATE TABLE entries (
//		id          INTEGER PRIMARY KEY,           -- in order of first write: a batch's rows sit together
//		target      INTEGER NOT NULL REFERENCES targets (id),
//		identity    TEXT NOT NULL,                 -- "x:<external_id>" or "e:<lower-cased email>"
//		state       TEXT NOT NULL CHECK (state IN ('pending', 'created', 'exists', 'outcome_unknown', 'failed', 'invalid')),
//		customer_id TEXT NOT NULL DEFAULT '',
//		external_id TEXT NOT NULL DEFAULT '',
//		email       TEXT NOT NULL DEFAULT '',
//		input       TEXT NOT NULL DEFAULT '',      -- the input file of the last write
//		line        INTEGER NOT NULL DEFAULT 0,    -- and its line there
//		run         TEXT NOT NULL DEFAULT '',      -- the run of the last write (runs.id)
//		at          TEXT NOT NULL,                 -- when, UTC
//		message     TEXT NOT NULL DEFAULT '',      -- why, for failed, invalid, outcome_unknown
//		seen_run    TEXT NOT NULL DEFAULT '',      -- the last run whose input had the identity
//		seen_line   INTEGER NOT NULL DEFAULT 0,    -- and the line
//		prev        TEXT                           -- JSON of the entry before a pending write, for its undo
//	);
//	CREATE UNIQUE INDEX entries_identity ON entries (target, identity);
//	CREATE INDEX entries_pending ON entries (target, run) WHERE state = 'pending';
//	CREATE TABLE runs (
//		id                TEXT PRIMARY KEY,
//		target            INTEGER NOT NULL REFERENCES targets (id),
//		input             TEXT NOT NULL DEFAULT '',
//		input_fingerprint TEXT NOT NULL DEFAULT '',
//		pid               INTEGER NOT NULL DEFAULT 0,
//		host              TEXT NOT NULL DEFAULT '',
//		started           TEXT NOT NULL,
//		finished          TEXT,                    -- NULL: running, or it died
//		outcome           TEXT NOT NULL DEFAULT '', -- 'unfinished': it died
//		counts            TEXT NOT NULL DEFAULT '{}' -- JSON
//	);
//	CREATE INDEX runs_started ON runs (started);
//
// # Reading it with sqlite3
//
// Open it read-only (sqlite3 -readonly PATH); reading while a run writes is
// safe. How many customers each target has, by state:
//
//	SELECT t.base_url, t.key_fingerprint, e.state, count(*) AS n
//	FROM entries e JOIN targets t ON t.id = e.target
//	GROUP BY t.id, e.state ORDER BY t.base_url, t.key_fingerprint, e.state;
//
// Which identities need a person's look: sent without an answer, or pending
// in a run that never finished (it died, or is still going); check them in
// the API:
//
//	SELECT t.base_url, e.identity, e.state, e.input, e.line, e.run, e.at, e.message
//	FROM entries e JOIN targets t ON t.id = e.target
//	WHERE e.state = 'outcome_unknown'
//	   OR (e.state = 'pending' AND e.run IN (SELECT id FROM runs WHERE finished IS NULL))
//	ORDER BY e.at;
//
// The last runs, a run that died shown as 'unfinished':
//
//	SELECT id, input, pid, host, started, finished, outcome, counts
//	FROM runs ORDER BY started DESC LIMIT 10;
package ledger
