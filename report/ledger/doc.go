// Package ledger remembers, across runs and crashes, what happened to every
// customer identity at every target (API base URL and API key fingerprint),
// so that no customer is created twice and a re-run sends only what is new.
//
// The ledger is one SQLite file (modernc.org/sqlite: pure Go, no cgo), in
// WAL mode with synchronous=FULL: when Apply returns, its batch is on disk,
// and a crash at any moment leaves every committed batch whole. A run looks
// its batch's identities up (Lookup), records pending for those it will send
// and seen for the others (Apply), sends, and records the outcomes (Apply).
// Writes that arrive while a commit is under way (the importer writes marks
// and outcomes from two goroutines) go out together in the next one, each
// still whole or not at all: a commit's fsync is paid once per group.
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
// and a newer or older one is refused); neither is ever changed.
//
// Memory: SQLite reads through a page cache of 2 MiB per connection and two
// connections (the writer's own, and one for look-ups and views), so at most
// 4 MiB however large the file; nothing is memory-mapped.
//
// # Schema
//
// An entry is split in two: the mark (entries), written before a create is
// sent or when an outcome comes without one, and the outcome (outcomes),
// which counts only while it answers the entry's current mark. A new mark
// of an entry always gets a later time, so the outcome of the mark before
// it stops counting (the entry is pending) without being written; Release
// puts the old mark back, and its outcome counts again. Runs keep what their
// entries share (the run id, the input file). Times of entries and outcomes
// are Unix milliseconds, the others UTC text ("2025-03-04T02:14:05.123Z").
// Identities are "x:<external_id>" when the record has one, else
// "e:<lower-cased email>". The view ledger puts it together: one row per
// entry, with its state, times as text, and the external id and email
// spelt out.
//
//	CREATE TABLE targets (
//		id              INTEGER PRIMARY KEY,
//		base_url        TEXT NOT NULL,             -- the API, without a trailing slash
//		key_fingerprint TEXT NOT NULL,             -- "sha256:…" of the API key; never the key
//		created         TEXT NOT NULL,
//		UNIQUE (base_url, key_fingerprint)
//	);
//	CREATE TABLE runs (
//		id                INTEGER PRIMARY KEY,
//		run               TEXT NOT NULL,           -- the run's id, as the tool shows it
//		target            INTEGER NOT NULL REFERENCES targets (id),
//		input             TEXT NOT NULL DEFAULT '', -- the input file of every mark of the run
//		input_fingerprint TEXT NOT NULL DEFAULT '',
//		pid               INTEGER NOT NULL DEFAULT 0,
//		host              TEXT NOT NULL DEFAULT '',
//		started           TEXT NOT NULL,
//		finished          TEXT,                    -- NULL: running, or it died
//		outcome           TEXT NOT NULL DEFAULT '', -- 'unfinished': it died
//		counts            TEXT NOT NULL DEFAULT '{}', -- JSON
//		UNIQUE (target, run)
//	);
//	CREATE INDEX runs_started ON runs (started);
//	CREATE TABLE entries (
//		id        INTEGER PRIMARY KEY,             -- in order of first mark: a batch's rows sit together
//		target    INTEGER NOT NULL REFERENCES targets (id),
//		identity  TEXT NOT NULL,                   -- "x:<external_id>" or "e:<lower-cased email>"
//		run       INTEGER NOT NULL REFERENCES runs (id), -- the run of the last mark
//		line      INTEGER NOT NULL,                -- and its line in the run's input
//		at        INTEGER NOT NULL,                -- when marked, Unix ms; a new mark of the entry is always later
//		email     TEXT NOT NULL DEFAULT '',        -- the row's email, when the identity is not it
//		seen_run  INTEGER REFERENCES runs (id),    -- where the identity was last seen; NULL: at the mark
//		seen_line INTEGER,
//		prev      TEXT                             -- JSON [run, line, at, email] of the mark before this run's, for Release
//	);
//	CREATE UNIQUE INDEX entries_identity ON entries (target, identity);
//	CREATE TABLE outcomes (
//		entry       INTEGER PRIMARY KEY REFERENCES entries (id),
//		mark        INTEGER NOT NULL,              -- the entries.at it answers; when that changed, the entry is pending
//		state       TEXT NOT NULL,                 -- created, exists, outcome_unknown, failed or invalid
//		customer_id TEXT NOT NULL DEFAULT '',
//		message     TEXT NOT NULL DEFAULT '',      -- why, for failed, invalid, outcome_unknown
//		at          INTEGER NOT NULL               -- when, Unix ms
//	);
//	CREATE VIEW ledger AS
//	SELECT t.base_url, t.key_fingerprint, e.identity,
//		coalesce(o.state, 'pending') AS state,
//		coalesce(o.customer_id, '') AS customer_id,
//		CASE WHEN substr(e.identity, 1, 2) = 'x:' THEN substr(e.identity, 3) ELSE '' END AS external_id,
//		CASE WHEN e.email = '' AND substr(e.identity, 1, 2) = 'e:' THEN substr(e.identity, 3) ELSE e.email END AS email,
//		r.input, e.line, r.run,
//		strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(o.at, e.at) / 1000.0, 'unixepoch') AS at,
//		coalesce(o.message, '') AS message,
//		coalesce(s.run, r.run) AS seen_run,
//		coalesce(e.seen_line, e.line) AS seen_line
//	FROM entries e
//	JOIN targets t ON t.id = e.target
//	JOIN runs r ON r.id = e.run
//	LEFT JOIN outcomes o ON o.entry = e.id AND o.mark = e.at
//	LEFT JOIN runs s ON s.id = e.seen_run;
//
// # Reading it with sqlite3
//
// Open it read-only (sqlite3 -readonly PATH); reading while a run writes is
// safe. How many customers each target has, by state:
//
//	SELECT base_url, key_fingerprint, state, count(*) AS n
//	FROM ledger GROUP BY base_url, key_fingerprint, state
//	ORDER BY base_url, key_fingerprint, state;
//
// Which identities need a person's look: sent without an answer, or pending
// in a run that never finished (it died, or is still going); check them in
// the API:
//
//	SELECT base_url, identity, state, input, line, run, at, message
//	FROM ledger
//	WHERE state = 'outcome_unknown'
//	   OR (state = 'pending' AND run IN (SELECT run FROM runs WHERE finished IS NULL))
//	ORDER BY at;
//
// The last runs, a run that died shown as 'unfinished':
//
//	SELECT run, input, pid, host, started, finished, outcome, counts
//	FROM runs ORDER BY started DESC LIMIT 10;
package ledger
